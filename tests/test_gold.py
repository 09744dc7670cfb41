"""Gold quotes to sentence ids (evaluation.evaluate.gold_labels): what a labeller marked is what is scored."""

from __future__ import annotations

from types import SimpleNamespace

from cxinsight.evaluation.evaluate import gold_labels
from cxinsight.models import Sentence


def _episode(*texts):
    sentences = [Sentence(id=f"e:{i:05d}", index=i, text=t, start=i, end=i + 1) for i, t in enumerate(texts)]
    return SimpleNamespace(sentences=sentences)


# Auto-captions carry no punctuation: our splitter cuts them where it can, and a labeller's quote (one caption
# line) may run across the cut. Before, such a quote was "not found" and its words counted as unlabelled.
CAPTIONS = _episode("so we logged every visit for six weeks in", "a notebook at the desk and it was nearly a third",
                    "of all desk visits thirty one percent", "anyway the weather was great")


def test_a_quote_inside_one_sentence_marks_that_sentence():
    gold, missing = gold_labels(CAPTIONS, [{"tactic": "t", "quotes": ["logged every  visit"]}])
    assert gold == {"t": {"e:00000"}} and missing == []


def test_a_quote_cut_across_sentences_marks_every_sentence_it_overlaps():
    quote = "and it was nearly a third of all desk visits"
    gold, missing = gold_labels(CAPTIONS, [{"tactic": "t", "quotes": [quote]}])
    assert gold == {"t": {"e:00001", "e:00002"}} and missing == []


def test_a_heading_glued_to_a_paragraph_is_found_whatever_the_spaces():
    glued = _episode("Share Their Experience and Tactics", "While implementing the plan we stopped six surveys.")
    gold, missing = gold_labels(glued, [{"tactic": "t", "quotes": ["TacticsWhile implementing"]}])
    assert gold == {"t": {"e:00000", "e:00001"}} and missing == []


def test_a_quote_found_nowhere_is_reported_and_marks_nothing():
    gold, missing = gold_labels(CAPTIONS, [{"tactic": "t", "quotes": ["the weather was awful"]}])
    assert gold == {"t": set()} and missing == ["the weather was awful"]
