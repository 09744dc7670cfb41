"""The episode judge (extract/episode_judge.py): which tactics with a seed a text discusses."""

from __future__ import annotations

import numpy as np
import pytest

from cxinsight.errors import ConfigError
from cxinsight.extract.classifier import read_labels
from cxinsight.extract.discussion import DiscussionReader, SentenceFacts
from cxinsight.extract.episode_judge import FEATURES, EpisodeJudge, candidate_features, train_judge
from cxinsight.extract.head import TacticHead, load_head
from cxinsight.extract.taxonomy import ClassifierConfig
from tests.helpers import one_feature, sentence_facts

# Tactic 0 seeds three sentences, tactic 1 one (a passing remark under min_sentences 3), tactic 2 none.
SCORES = np.array([[0.60, 0.20, 0.1], [0.58, 0.20, 0.1], [0.55, 0.20, 0.1], [0.20, 0.52, 0.1], [0.30, 0.30, 0.1]])
RULE = ClassifierConfig(threshold=0.5, margin=0.0, min_sentences=3, window=1, context=0.0, min_words=1)


def _facts(named: np.ndarray | None = None) -> SentenceFacts:
    return sentence_facts(len(SCORES), 3, named=named)


def _reader() -> DiscussionReader:  # keeps what the rule labelled
    return one_feature(DiscussionReader, "rule_label", 10.0, -5.0)


def _judge(on: str, weight: float, bias: float) -> EpisodeJudge:
    return one_feature(EpisodeJudge, on, weight, bias)


def test_every_tactic_with_a_seed_is_a_candidate_and_the_judge_decides_instead_of_min_sentences():
    without = read_labels(SCORES, _facts(), RULE, _reader())
    assert without[:, 0].sum() == 3 and not without[:, 1].any()  # the rule: one seed is a passing remark
    keeps_all = _judge("seeds", 1.0, 0.0)  # probability > 0.5 for any seed
    judged = read_labels(SCORES, _facts(), RULE, _reader(), keeps_all)
    assert judged[:, 0].sum() == 3 and judged[3, 1] and not judged[:, 2].any()
    wants_three = _judge("seeds", 1.0, -2.5)  # kept from 3 seeds
    assert (read_labels(SCORES, _facts(), RULE, _reader(), wants_three) == without).all()


def test_a_tactic_named_by_an_alias_is_never_dropped():
    named = np.zeros((5, 3), bool)
    named[4, 2] = True  # sentence 4 names tactic 2, which has no seed
    drops_everything = _judge("seeds", 0.0, -10.0)
    judged = read_labels(SCORES, _facts(named), RULE, _reader(), drops_everything)
    assert judged[4, 2] and not judged[:, :2].any()


def test_candidate_rows_and_training():
    facts = _facts()
    labels = np.zeros((5, 3), bool)
    labels[:3, 0] = labels[3, 1] = True
    candidates, rows = candidate_features(SCORES, labels, labels, facts, labels, _reader())
    assert candidates.tolist() == [0, 1] and rows.shape == (2, len(FEATURES))
    column = dict(zip(FEATURES, rows.T))
    assert column["seeds"].tolist() == [3, 1] and column["best_score"] == pytest.approx([0.60, 0.52])
    assert column["best_below_text_best"] == pytest.approx([0.0, -0.08])
    rng = np.random.default_rng(0)
    many = rng.normal(size=(80, len(FEATURES)))
    judge = train_judge(many, many[:, 0] > 0)
    assert judge.weights[0] > 0 and judge.threshold == 0.5
    again = EpisodeJudge.from_dict(judge.to_dict())
    assert np.allclose(again.probabilities(many), judge.probabilities(many), atol=1e-4)


def test_a_head_file_carries_its_judge_and_refuses_one_for_other_features(tmp_path):
    path = tmp_path / "head.json"
    TacticHead(model="m", reader=_reader(), judge=_judge("seeds", 1.0, -2.5)).save(path)
    assert load_head(path, 2, "m").judge.bias == -2.5
    path.write_text(path.read_text().replace('"share_long_sentences_best"', '"something_else"'))
    with pytest.raises(ConfigError, match="its episode judge was trained on other features"):
        load_head(path, 2, "m")
