"""The discussion reader (extract/discussion.py): the second reading of a found tactic's sentences."""

from __future__ import annotations

import numpy as np
import pytest

from cxinsight.errors import ConfigError
from cxinsight.extract.discussion import FEATURES, DiscussionReader, SentenceFacts, features, train_reader, training_rows
from cxinsight.extract.head import TacticHead, load_head
from tests.helpers import one_feature, sentence_facts


def _facts(n: int, named: np.ndarray | None = None) -> SentenceFacts:
    return sentence_facts(n, 2, named=named, speakers=np.array(["Ana"] * 3 + ["Ben"] * (n - 3), dtype=object))


SCORES = np.array([[0.50, 0.2], [0.45, 0.2], [0.30, 0.2], [0.20, 0.3], [0.10, 0.2], [0.40, 0.2]])
LABELS = np.zeros((6, 2), bool)
LABELS[:2, 0] = True  # the rule found tactic 0 in the first two sentences; tactic 1 nowhere


def test_features_cover_only_the_tactics_the_rule_found():
    found = features(SCORES, LABELS, _facts(6))
    assert list(found) == [0] and found[0].shape == (6, len(FEATURES))
    column = dict(zip(FEATURES, found[0].T))
    assert column["rule_label"].tolist() == [1, 1, 0, 0, 0, 0]
    assert column["distance_to_rule_label"].tolist() == [0, 0, 1, 2, 3, 4]
    assert column["same_turn_next"].tolist() == [1, 1, 0, 1, 1, 0]  # Ana's turn ends after sentence 3
    assert column["score_next"][0] == pytest.approx(0.45) and column["turn_best_score"][4] == pytest.approx(0.40)
    assert features(SCORES, np.zeros((6, 2), bool), _facts(6)) == {}


def _reader(bias: float) -> DiscussionReader:
    return one_feature(DiscussionReader, "score", 1.0, bias)


def test_the_reader_rereads_sentences_but_never_adds_or_drops_a_tactic():
    # probability >= 0.5 where score >= 0.35: sentences 0, 1 and 5 of tactic 0
    assert _reader(-0.35).read(SCORES, LABELS, _facts(6))[:, 0].tolist() == [1, 1, 0, 0, 0, 1]
    named = np.zeros((6, 2), bool)
    named[3, 0] = True
    kept = _reader(-0.35).read(SCORES, LABELS, _facts(6, named))
    assert kept[3, 0] and not kept[:, 1].any()  # a sentence that names the tactic keeps it; tactic 1 stays absent
    seeds = np.zeros((6, 2), bool)
    seeds[2, 0] = True
    assert _reader(-0.35).read(SCORES, LABELS, _facts(6), keep=seeds)[:, 0].tolist() == [1, 1, 1, 0, 0, 1]
    # a reader that would keep no sentence leaves the rule's labels: the episode still discusses the tactic
    assert (_reader(-10.0).read(SCORES, LABELS, _facts(6)) == LABELS).all()


def test_training_picks_a_threshold_and_learns_that_a_higher_score_means_the_tactic():
    rng = np.random.default_rng(0)
    rows, targets = [], []
    for _ in range(30):
        scores = rng.uniform(0.1, 0.6, size=(12, 2))
        labels = np.zeros((12, 2), bool)
        labels[scores[:, 0].argmax(), 0] = True
        gold = np.zeros((12, 2), bool)
        gold[:, 0] = scores[:, 0] > 0.4
        r, t = training_rows(scores, labels, _facts(12), gold)
        rows.append(r)
        targets.append(t)
    reader = train_reader(np.vstack(rows), np.concatenate(targets))
    assert reader.weights[FEATURES.index("score")] > 0 and 0.2 <= reader.threshold <= 0.7
    again = DiscussionReader.from_dict(reader.to_dict())
    assert np.allclose(again.probabilities(rows[0]), reader.probabilities(rows[0]), atol=1e-4)


def test_a_head_file_carries_its_reader_and_refuses_one_for_other_features(tmp_path):
    path = tmp_path / "head.json"
    TacticHead(model="m", reader=_reader(-0.35)).save(path)
    assert load_head(path, 2, "m").reader.threshold == 0.5
    assert load_head(path, 2, "m").reader.weights[0] == 1.0
    text = path.read_text().replace('"score_mean_9"', '"something_else"')
    path.write_text(text)
    with pytest.raises(ConfigError, match="its discussion reader was trained on other features"):
        load_head(path, 2, "m")
