"""Gold quotes to sentence ids (evaluation.evaluate.gold_labels): what a labeller marked is what is scored."""

from __future__ import annotations

from types import SimpleNamespace

from cxinsight.evaluation.evaluate import gold_labels
from cxinsight.models import Sentence
from tests.helpers import sentence_facts


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


def test_word_level_gold_is_the_same_words_under_any_split():
    from cxinsight.evaluation.words import quoted_words, word_sentences

    quote = "and it was nearly a third of all desk visits"
    coarse = _episode(" ".join(s.text for s in CAPTIONS.sentences))
    for episode in (CAPTIONS, coarse):
        words = [w for s in episode.sentences for w in s.text.split()]
        found = quoted_words(episode.sentences, [quote])
        assert " ".join(words[i] for i in sorted(found)) == quote
    assert word_sentences(CAPTIONS.sentences)[:10] == [0] * 9 + [1]
    # a word partly inside a quote counts; a quote found nowhere covers nothing
    assert quoted_words(_episode("Share Their Experience and TacticsWhile implementing it").sentences, ["Tactics"]) == {4}
    assert quoted_words(CAPTIONS.sentences, ["the weather was awful"]) == set()


def test_word_level_counts_charge_a_long_sentence_by_its_words():
    """A prediction covering one 9-word sentence of which 3 words are quoted: 3 tp, 6 fp, 0 fn."""
    import numpy as np

    from cxinsight.evaluation.calibrate import Prepared, counts, totals
    from cxinsight.extract.taxonomy import ClassifierConfig

    facts = sentence_facts(2, 1, words=np.array([9, 4]))
    case = Prepared(scores={(1, 0.0): np.array([[0.9], [0.1]])}, gold=np.array([[True], [False]]), genre="",
                    facts=facts, words=np.array([9, 4]), gold_words=np.array([[3], [0]]))
    cfg = ClassifierConfig(threshold=0.5, margin=1.0, min_sentences=1, window=1, context=0.0)
    word = totals(counts([case], cfg))["word_level"]
    assert (word["tp"], word["fp"], word["fn"]) == (3, 6, 0)
