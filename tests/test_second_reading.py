"""The second reader (extract/second_reading.py): each found tactic's sentences re-read in the light of the first."""

from __future__ import annotations

import numpy as np
import pytest

from cxinsight.errors import ConfigError
from cxinsight.extract.classifier import read_labels
from cxinsight.extract.discussion import FEATURES as FIRST_FEATURES
from cxinsight.extract.discussion import DiscussionReader, SentenceFacts, training_rows
from cxinsight.extract.head import TacticHead, load_head
from cxinsight.extract.second_reading import (
    FEATURES, READING_FEATURES, SecondReader, _best_other, reading_features, second_training_rows, train_second_reader,
)
from cxinsight.extract.taxonomy import ClassifierConfig
from tests.helpers import one_feature, sentence_facts

# Tactic 0 seeds sentences 0-2 and tactic 1 sentence 4; tactic 2 nowhere. Sentence 3 is too short to seed.
# Sentences 0-3 are Ana's, 4-6 Ben's. Without growth, the readers' floor is the threshold, 0.5.
SCORES = np.array([[0.60, 0.20, 0.1], [0.58, 0.20, 0.1], [0.55, 0.20, 0.1], [0.52, 0.30, 0.1],
                   [0.20, 0.56, 0.1], [0.35, 0.30, 0.1], [0.15, 0.10, 0.1]])
RULE = ClassifierConfig(threshold=0.5, margin=0.0, min_sentences=1, window=1, context=0.0, min_words=1)


def _facts(question: np.ndarray | None = None) -> SentenceFacts:
    n = len(SCORES)
    return sentence_facts(n, 3, long_enough=np.arange(n) != 3, question=question,
                          speakers=np.array(["Ana"] * 4 + ["Ben"] * 3, dtype=object))


def _first() -> DiscussionReader:  # keeps what the rule labelled
    return one_feature(DiscussionReader, "rule_label", 10.0, -5.0)


def _second(on: str, weight: float, bias: float) -> SecondReader:
    return one_feature(SecondReader, on, weight, bias)


def test_best_other_is_the_strongest_other_tactic():
    p = np.array([[0.9, 0.2, 0.5], [0.1, 0.3, 0.2]])
    assert _best_other(p).tolist() == [[0.5, 0.9, 0.9], [0.3, 0.2, 0.3]]
    assert _best_other(p[:, :1]).tolist() == [[0.0], [0.0]]  # no other tactic discussed


def test_features_add_the_first_readers_probabilities_to_its_own_features():
    labels = np.zeros((7, 3), bool)
    labels[:3, 0] = labels[4, 1] = True
    discussed, rows = reading_features(SCORES, labels, _facts(), _first())
    assert discussed.tolist() == [0, 1] and rows.shape == (7, 2, len(FIRST_FEATURES) + len(READING_FEATURES))
    column = {name: rows[:, :, k] for k, name in enumerate(FEATURES)}
    first = column["first_probability"]
    assert (first[:3, 0] > 0.99).all() and (first[3:, 0] < 0.01).all() and first[4, 1] > 0.99
    assert column["first_probability_next"][3, 0] == pytest.approx(first[4, 0])
    assert column["other_tactic_best"][4, 0] == pytest.approx(first[4, 1])  # tactic 1 claims sentence 4
    assert column["turn_mean_probability"][0, 0] == pytest.approx(first[:4, 0].mean())  # Ana's turn: 0-3
    assert column["tactic_best_probability"][6, 1] == pytest.approx(first[:, 1].max())
    rows_only, targets = second_training_rows(SCORES, labels, _facts(), _first(), labels)
    assert rows_only.shape == (14, len(FEATURES)) and targets.tolist() == labels[:, :2].T.reshape(-1).tolist()
    first_rows, _ = training_rows(SCORES, labels, _facts(), labels)
    assert np.allclose(rows_only[:, :len(FIRST_FEATURES)], first_rows)  # same order as the first reader's rows


def test_the_second_reading_rereads_only_the_tactics_kept_and_keeps_seeds():
    labels = read_labels(SCORES, _facts(), RULE, _first())
    assert labels[:3, 0].all() and labels[4, 1] and labels.sum() == 4
    # probability > 0.5 wherever the first reader's mean over 3 sentences passes 0.3: grows tactic 0 into sentence 3
    widens = _second("first_probability_mean_3", 10.0, -3.0)
    read = read_labels(SCORES, _facts(), RULE, _first(), second=widens)
    assert read[:, 0].tolist() == [1, 1, 1, 1, 0, 0, 0] and read[:, 1].tolist() == [0, 0, 0, 0, 1, 0, 0]
    # never a question, never below the floor (growth's threshold), and never a tactic the first reading lacks
    question = np.zeros(7, bool)
    question[3] = True
    assert not read_labels(SCORES, _facts(question), RULE, _first(), second=widens)[3, 0]
    decided = np.zeros((7, 3), bool)
    decided[:3, 0] = True  # say the judge dropped tactic 1
    again = widens.reread(SCORES, labels, _facts(), _first(), decided, labels, floor=0.38)
    assert again[:, 0].tolist() == [1, 1, 1, 1, 0, 0, 0] and not again[:, 1:].any()
    # one that would keep nothing beyond the seeds keeps the seeds; one that keeps nothing at all leaves the reading
    drops = _second("first_probability", 0.0, -10.0)
    assert (read_labels(SCORES, _facts(), RULE, _first(), second=drops) == labels).all()
    assert (drops.reread(SCORES, labels, _facts(), _first(), decided, np.zeros((7, 3), bool)) == decided).all()


def test_training_learns_from_the_first_readers_probabilities_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(200, len(FEATURES)))
    targets = rows[:, FEATURES.index("first_probability_mean_3")] > 0.3
    second = train_second_reader(rows, targets)
    assert second.weights.argmax() == FEATURES.index("first_probability_mean_3") and 0.2 <= second.threshold <= 0.7
    path = tmp_path / "head.json"
    TacticHead(model="m", reader=_first(), second=second).save(path)
    loaded = load_head(path, 2, "m").second
    assert np.allclose(loaded.probabilities(rows), second.probabilities(rows), atol=1e-4)
    path.write_text(path.read_text().replace('"other_tactic_turn_mean"', '"something_else"'))
    with pytest.raises(ConfigError, match="its second reader was trained on other features"):
        load_head(path, 2, "m")
