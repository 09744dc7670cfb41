"""Pull-quote choice on real sentence shapes (notes/quotes.py): no model, no store."""

from __future__ import annotations

from cxinsight.models import Sentence
from cxinsight.notes.quotes import _candidates, quote_score


def _sentences(*texts: str) -> list[Sentence]:
    return [Sentence(id=f"e:{i:05d}", index=i, text=t, speaker="", start=float(i), end=i + 1.0) for i, t in enumerate(texts)]


def test_half_a_quotation_is_not_offered_over_the_whole_of_it():
    # the splitter ends a sentence at a full stop inside quotation marks
    sentences = _sentences('Vasquez says the key was trust: "We hired adults.', 'We should treat them like adults."',
                           "Complaints about delays dropped by a third in the first year.")
    pairs = [" ".join(s.text for s in c) for c in _candidates(sentences, [s.id for s in sentences])]
    whole = 'Vasquez says the key was trust: "We hired adults. We should treat them like adults."'
    assert whole in pairs
    assert quote_score(whole, False, 0.5) > quote_score(sentences[0].text, False, 0.5)
    assert quote_score("“We hired adults.", False, 0.5) < quote_score("“We hired adults.”", False, 0.5)



def test_a_shows_pleasantries_rank_below_what_the_guest_says():
    said = "Our members told us points felt like homework, so we replaced them with a members' evening every month."
    for greeting in ("Welcome back to Retail Rewired, the show about shops that changed how they serve people.",
                     "Good morning, and thanks for joining the research interview about the new returns process.",
                     "Today I'm joined by Chidi Okafor of Lanternway Books, who ran the loyalty scheme for six years."):
        assert quote_score(greeting, False, 0.5) < quote_score(said, False, 0.5) - 0.5, greeting


def test_an_interviewers_lead_in_and_question_is_a_question():
    from cxinsight.text.sentences import is_question

    assert is_question("You got rid of loyalty points. Why?")
    assert is_question("How long? Six weeks?")
    assert not is_question("We cut the points scheme. Why? Because members told us it felt like homework.")
    long_turn = ("We replaced points with a members' evening every month, and visits went up by a quarter across "
                 "every one of our twelve shops within the first year of running it. Does that answer it?")
    assert not is_question(long_turn)  # a long answer that ends by checking in is still an answer
