"""The keyword side of hybrid search: a real SQLite FTS5 index, BM25 ranking, and common words left out."""

from __future__ import annotations

from cxinsight.store.keyword import KeywordIndex


def _index(tmp_path, texts):
    index = KeywordIndex(tmp_path / "keyword.sqlite3")
    index.add([
        {"passage_id": f"p{i}", "episode_id": "e1", "ingest_id": "i1", "speaker": "", "tactics": ",", "text": t}
        for i, t in enumerate(texts)
    ])
    return index


def test_words_common_to_most_passages_are_left_out_of_the_query(tmp_path):
    texts = [f"Our customers told us about topic {i}." for i in range(40)]
    texts += ["The complaints backlog worried every customer.", "Customer complaints doubled.", "We cleared the backlog."]
    index = _index(tmp_path, texts)
    index.costly_postings = 10  # a small index, so small costs count
    # "customer" (stemmed "custom") is in every passage: scoring it would touch all 43 rows for little BM25 weight
    assert index.match_expression("How did customer complaints and the backlog change?") == '"complaints" OR "backlog" OR "change"'
    found = {pid for pid, _, _ in index.search("How did customer complaints and the backlog change?", 10)}
    assert found == {"p40", "p41", "p42"}
    # a common word alone, or beside words the archive never uses, is still searched
    assert index.match_expression("customers") == '"customers"'
    assert index.match_expression("customer zeppelin") == '"customer" OR "zeppelin"'
    assert len(index.search("customer zeppelin", 50)) == 42  # every passage but "We cleared the backlog."
    index.close()


def test_common_words_stay_while_they_are_cheap(tmp_path):
    texts = [f"Our customers told us about topic {i}." for i in range(40)] + ["The complaints backlog worried every customer."]
    index = _index(tmp_path, texts)  # "customer" is in every passage, but 41 postings cost nothing
    assert index.match_expression("customer complaints") == '"customer" OR "complaints"'
    index.close()


def test_words_under_the_common_share_are_all_kept_and_ranked_by_bm25(tmp_path):
    index = _index(tmp_path, ["middle managers coached weekly", "managers"] + ["the board met"] + [f"filler {i}" for i in range(13)])
    index.costly_postings = 0
    assert index.match_expression("How do middle managers reach the board?") == '"middle" OR "managers" OR "reach" OR "board"'
    ranked = [pid for pid, _, _ in index.search("middle managers", 10)]
    assert ranked == ["p0", "p1"]
    index.close()


def test_the_words_kept_share_a_postings_budget_rarest_first(tmp_path):
    # "backlog" in 2 passages, "surveys" in 6, "complaints" in 12, of 112
    texts = [f"filler {i}" for i in range(100)]  # so none of the three is common (COMMON_SHARE)
    texts += ["backlog complaints surveys"] * 2 + ["surveys complaints"] * 4 + ["complaints"] * 6
    index = _index(tmp_path, texts)
    index.costly_postings = 0
    index.min_budget = 0
    index.postings_share = 8 / len(texts)  # 8 postings: backlog (2) and surveys (6) fit, complaints (12) does not
    assert index.match_expression("complaints backlog surveys") == '"backlog" OR "surveys"'
    index.postings_share = 1 / len(texts)  # smaller than the rarest word: that word still stays, alone
    assert index.match_expression("complaints backlog surveys") == '"backlog"'
    index.postings_share = 1.0
    assert index.match_expression("complaints backlog surveys") == '"complaints" OR "backlog" OR "surveys"'
    index.close()


def test_cached_word_counts_follow_writes(tmp_path):
    index = _index(tmp_path, [f"filler {i}" for i in range(10)] + ["backlog"])
    assert index.document_frequencies(["backlog", "filler"]) == ({"backlog": 1, "filler": 10}, 11)
    index.add([{"passage_id": "p99", "episode_id": "e2", "ingest_id": "i2", "speaker": "", "tactics": ",",
                "text": "backlog again"}])
    assert index.document_frequencies(["backlog"])[0] == {"backlog": 2}
    index.delete_episode("e2")
    assert index.document_frequencies(["backlog"])[0] == {"backlog": 1}
    index.close()


def _passage(pid, episode, ingest, text):
    return {"passage_id": pid, "episode_id": episode, "ingest_id": ingest, "speaker": "", "tactics": ",", "text": text}


def test_episodes_are_ranked_by_their_whole_text(tmp_path):
    """A question's words may meet only across an episode's passages: the pharmacy's hiring is told in one, the
    fact that it is a pharmacy in another. Whole episodes are ranked by BM25 over all their passages."""
    index = KeywordIndex(tmp_path / "keyword.sqlite3")
    index.add([_passage("a:p0@1", "a", "1", "We run three hundred pharmacy stores on the high street."),
               _passage("a:p1@1", "a", "1", "Interviews now ask how candidates treat people, and bonuses follow.")])
    index.add([_passage("b:p0@1", "b", "1", "The airline changed its interviews and its bonuses for cabin crew."),
               _passage("b:p1@1", "b", "1", "Candidates are hired for how they treat passengers.")])
    index.add([_passage("c:p0@1", "c", "1", "Pharmacy shortages hit the flu season.")])
    question = "How did the pharmacy chain rework interviews and bonuses?"
    assert {pid for pid, _, _ in index.search(question, 2)} != {"a:p0@1", "a:p1@1"}  # no one passage holds both
    assert [e for e, _ in index.rank_episodes(question, 10)] == ["a", "b", "c"]
    # an episode's rows go with its passages: a later ingest replaces them, a removal deletes them
    index.add([_passage("a:p0@2", "a", "2", "We sell garden furniture.")])
    index.delete_other_ingests("a", "2")
    assert ("a", "2") not in index.rank_episodes(question, 10) and [e for e, _ in index.rank_episodes(question, 10)] == ["b", "c"]
    index.delete_episode("b")
    index.delete_ingest("1")
    assert index.rank_episodes(question, 10) == [] and index.rank_episodes("garden furniture", 10) == [("a", "2")]
    index.close()


def test_an_index_from_before_episode_ranking_gets_it_on_open(tmp_path):
    import sqlite3

    path = tmp_path / "keyword.sqlite3"
    index = KeywordIndex(path)
    index.add([_passage("a:p0@1", "a", "1", "The pharmacy chain"), _passage("a:p1@1", "a", "1", "changed its interviews.")])
    index.close()
    with sqlite3.connect(path) as db:  # as an older version left it: passages only
        db.execute("DROP TABLE episodes")
    reopened = KeywordIndex(path)
    assert reopened.rank_episodes("pharmacy interviews", 5) == [("a", "1")]
    reopened.close()
