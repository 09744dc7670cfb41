"""Which episodes a question names (answer/names.py): pure functions over episode records."""

from __future__ import annotations

from cxinsight.answer.names import may_name_someone, named_episodes, without_names

RECORDS = {
    "bw": {"organisation": "Brightwater Utilities", "guest": "Marisol Okafor-Lind"},
    "sk": {"organisation": "Skylark Airways", "guest": "Priya Venkataraman"},
    "tv": {"organisation": "Tamsworth Valley Water", "guest": "Ruth Adebayo-Kell"},
    **{f"x{i}": {"organisation": "Northwind Telecom", "guest": ""} for i in range(3)},
}


def test_a_capitalised_name_after_the_first_word_names_its_episodes():
    assert named_episodes("How did Brightwater handle its old surveys?", RECORDS) == (["bw"], {"brightwater"})
    assert named_episodes("What did Okafor-Lind say about callbacks?", RECORDS) == (["bw"], {"okafor", "lind"})
    assert named_episodes("At Tamsworth Valley Water's depots, who called back?", RECORDS)[0] == ["tv"]
    assert named_episodes("How did Skylark and Brightwater differ?", RECORDS)[0] == ["bw", "sk"]


def test_lowercase_words_first_words_and_common_names_name_nobody():
    assert named_episodes("How do water companies handle surveys?", RECORDS) == ([], set())  # not capitalised
    assert named_episodes("Brightwater", RECORDS) == ([], set())  # a first word is capitalised anyway
    # 3 of 6 episodes carry Northwind: more than MAX_SHARE, so it says nothing about which one is meant
    assert named_episodes("What did Northwind do about churn?", RECORDS) == ([], set())
    assert not may_name_someone("how do cx leaders coach managers?")
    assert may_name_someone("What did Skylark do?")


def test_a_guests_first_name_alone_names_nobody():
    # "Priya" is Skylark's guest's first name, but this question is about another Priya
    assert named_episodes("What does Priya Sandhu do to back the programme?", RECORDS) == ([], set())
    assert named_episodes("What did Venkataraman change at the airline?", RECORDS)[0] == ["sk"]


def test_the_question_without_its_names():
    assert without_names("How did Brightwater handle its old surveys?", {"brightwater"}) == "How did handle its old surveys?"
    assert without_names("At Tamsworth Valley Water's depots, who?", {"tamsworth", "valley", "water"}) == "At depots, who?"


def test_a_named_episodes_relevant_statements_come_first():
    from cxinsight.answer.retrieve import evidence_first
    from cxinsight.models import SearchHit

    def hit(episode, similarity, text="We called every one of them back.", speaker="Guest"):
        return SearchHit(episode_id=episode, title="", speaker=speaker, start=0, end=1, text=text, score=0.0,
                         tactics=[], passage_id=f"{episode}:{similarity}", similarity=similarity)

    records = {"bw": {"host": "Host"}, "sk": {"host": "Host"}}
    fused = [hit("sk", 0.50), hit("bw", 0.20), hit("bw", 0.48), hit("bw", 0.45, "Did you call them?"), hit("sk", 0.40)]
    ordered = evidence_first(fused, records, {"bw"}, 0.35)
    # the named episode's relevant statement first; its off-topic line (0.20) keeps its place; questions last
    assert [(h.episode_id, h.similarity) for h in ordered] == [("bw", 0.48), ("sk", 0.50), ("bw", 0.20), ("sk", 0.40), ("bw", 0.45)]
    assert [h.similarity for h in evidence_first(fused, records, set(), 0.35)] == [0.50, 0.20, 0.48, 0.40, 0.45]
