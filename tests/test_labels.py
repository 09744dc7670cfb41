"""The classifier's decision rules on score matrices (extract/classifier.label): seeds, growth, gap filling."""

from __future__ import annotations

import numpy as np

from cxinsight.extract.classifier import label
from cxinsight.extract.taxonomy import ClassifierConfig

RULE = ClassifierConfig(threshold=0.5, margin=0.0, min_sentences=2, min_words=4)


def _labels(column, rule=RULE, other=None, named=None, long=None):
    """Labels of tactic 0 for one column of scores (tactic 1 scores `other`, default 0)."""
    scores = np.stack([np.array(column, float), np.array(other or [0.0] * len(column), float)], axis=1)
    named = np.zeros(scores.shape, bool) if named is None else named
    long = np.ones(len(column), bool) if long is None else np.array(long)
    return label(scores, long, named, rule)[:, 0].astype(int).tolist()


def test_seeds_need_the_threshold_the_best_score_and_enough_of_them():
    assert _labels([0.6, 0.2, 0.55, 0.1]) == [1, 0, 1, 0]
    assert _labels([0.6, 0.2, 0.3, 0.1]) == [0, 0, 0, 0]  # one seed: a passing remark
    assert _labels([0.6, 0.6, 0.2], other=[0.0, 0.7, 0.0]) == [0, 0, 0]  # sentence 2 is tactic 1's: one seed left
    assert _labels([0.6, 0.6, 0.6], long=[True, False, True]) == [1, 0, 1]  # too short to be labelled


def test_a_discussion_grows_into_neighbours_that_pass_the_lower_threshold():
    grown = RULE.model_copy(update={"grow_threshold": 0.3})
    #          seed  seed  grow  grow  stop  grow? (not joined to a seed)
    scores = [0.6, 0.6, 0.35, 0.32, 0.1, 0.4]
    assert _labels(scores) == [1, 1, 0, 0, 0, 0]
    assert _labels(scores, grown) == [1, 1, 1, 1, 0, 0]
    # growth stops at a sentence whose best tactic is another one the text discusses (beyond grow_margin)...
    discussed_too = [0, 0, 0.45, 0, 0.7, 0.7]
    assert _labels(scores, grown, other=discussed_too) == [1, 1, 0, 0, 0, 0]
    lenient = grown.model_copy(update={"grow_margin": 0.2})
    assert _labels(scores, lenient, other=discussed_too) == [1, 1, 1, 1, 0, 0]
    # ...but not at one whose best is a tactic discussed nowhere in the text (a detail that looks like it)
    assert _labels(scores, grown, other=[0, 0, 0.45, 0, 0, 0]) == [1, 1, 1, 1, 0, 0]


def test_gaps_inside_a_discussion_are_filled_up_to_fill_gap():
    scores = [0.6, 0.0, 0.0, 0.6, 0.0, 0.0, 0.0, 0.6]
    assert _labels(scores) == [1, 0, 0, 1, 0, 0, 0, 1]
    assert _labels(scores, RULE.model_copy(update={"fill_gap": 2})) == [1, 1, 1, 1, 0, 0, 0, 1]
    assert _labels(scores, RULE.model_copy(update={"fill_gap": 3})) == [1] * 8


def test_a_named_tactic_is_labelled_without_seeds_and_grows_like_one():
    named = np.zeros((4, 2), bool)
    named[1, 0] = True
    assert _labels([0.1, 0.2, 0.1, 0.0], named=named) == [0, 1, 0, 0]
    grown = RULE.model_copy(update={"grow_threshold": 0.3})
    assert _labels([0.1, 0.2, 0.35, 0.0], grown, named=named) == [0, 1, 1, 0]


def test_no_sentences_no_labels():
    assert label(np.zeros((0, 3)), np.zeros(0, bool), np.zeros((0, 3), bool), RULE).shape == (0, 3)


def test_growth_and_filling_stay_within_one_speakers_turn():
    rule = RULE.model_copy(update={"grow_threshold": 0.3, "fill_gap": 1})
    scores = np.stack([np.array([0.35, 0.6, 0.6, 0.2, 0.6, 0.35]), np.zeros(6)], axis=1)
    none = np.zeros((6, 2), bool)
    long = np.ones(6, bool)
    # the host's question before the answer and the host's interjection inside it are not the guest's tactic
    speakers = np.array(["host", "guest", "guest", "host", "guest", "guest"], dtype=object)
    assert label(scores, long, none, rule, speakers)[:, 0].astype(int).tolist() == [0, 1, 1, 0, 1, 1]
    assert label(scores, long, none, rule)[:, 0].astype(int).tolist() == [1, 1, 1, 1, 1, 1]  # unlabelled text
