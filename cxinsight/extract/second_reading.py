"""A second reading of each discussion, in the light of the first: which sentences carry the tactic.

The discussion reader (extract/discussion.py) decides each sentence from its own scores and its neighbours'.
What it cannot see is what it decided elsewhere: that the sentence before was read as the tactic, that the
whole turn was, that another tactic claims this sentence more strongly, or how strongly the text discusses
the tactic at all. This second reader is a logistic regression over the first reader's features plus those
facts about its probabilities (stacking): the sentence's, its neighbours' and their means over 3, 5 and 9
sentences, the turn's mean, the best other discussed tactic's (also over 3 sentences and the turn), and the
tactic's mean and best across the text. It is trained by `eval --train-head` on rows whose first-reader
probabilities come from a reader that never saw the document (what it meets on new text), stored in the head
file as `second_reader`, and applied after the episode judge: it re-reads only the tactics the judge kept,
keeps the same seeds and named sentences, and leaves the first reading where it would keep none.
(Measured in README: "A second reading in the light of the first".)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from cxinsight.extract.discussion import FEATURES as FIRST_FEATURES
from cxinsight.extract.discussion import (
    DiscussionReader, FirstReading, SentenceFacts, choose, fit_reading, moving_mean, shift, turn_means,
)
from cxinsight.extract.regression import StandardisedRegression

READING_FEATURES = (
    "first_probability", "first_probability_prev", "first_probability_next", "first_probability_mean_3",
    "first_probability_mean_5", "first_probability_mean_9", "other_tactic_best", "tactic_mean_probability",
    "tactic_best_probability", "turn_mean_probability", "other_tactic_best_mean_3", "other_tactic_turn_mean",
)
# One column per feature, in this order; the head file stores the names so a file from another version is refused.
FEATURES = FIRST_FEATURES + READING_FEATURES


def reading_features(scores: np.ndarray, labels: np.ndarray, facts: SentenceFacts, first: DiscussionReader,
                     reading: FirstReading | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(the tactics the rule's `labels` discuss, their (sentences, discussed tactics, FEATURES) array).
    `reading`: the `first` reader's first_reading of the same labels, if already made."""
    reading = reading or first.first_reading(scores, labels, facts)
    discussed, rows, p = reading.discussed, reading.rows, reading.probabilities
    other = _best_other(p)
    extra = np.stack([
        p, shift(p, 1, 0), shift(p, -1, 0), moving_mean(p, 3), moving_mean(p, 5), moving_mean(p, 9), other,
        np.broadcast_to(p.mean(axis=0), p.shape), np.broadcast_to(p.max(axis=0), p.shape),
        turn_means(p, facts.speakers), moving_mean(other, 3), turn_means(other, facts.speakers),
    ], axis=-1) if p.size else np.zeros((*p.shape, len(READING_FEATURES)))
    return discussed, np.concatenate([rows, extra], axis=-1)


def _best_other(p: np.ndarray) -> np.ndarray:
    """Per sentence and tactic: the highest probability among the other discussed tactics (0 if none)."""
    if p.shape[1] < 2:
        return np.zeros(p.shape)
    order = np.argsort(p, axis=1)
    best, second = np.take_along_axis(p, order[:, -1:], axis=1), np.take_along_axis(p, order[:, -2:-1], axis=1)
    return np.where(np.arange(p.shape[1])[None, :] == order[:, -1:], second, best)


@dataclass
class SecondReader(StandardisedRegression):
    """A standardised logistic regression over FEATURES, and the probability from which a sentence is labelled."""

    FEATURES: ClassVar[tuple[str, ...]] = FEATURES
    KIND: ClassVar[str] = "second reader"

    def reread(self, scores: np.ndarray, labels: np.ndarray, facts: SentenceFacts, first: DiscussionReader,
               decided: np.ndarray, keep: np.ndarray, floor: float = -np.inf,
               reading: FirstReading | None = None) -> np.ndarray:
        """`decided` (the first reading, judged) with each tactic it holds re-read. `labels`: the rule's, which the
        first reader read; `keep` and `floor` as in DiscussionReader.read; `reading` as in reading_features."""
        discussed, rows = reading_features(scores, labels, facts, first, reading)
        chosen = choose(self.probabilities(rows) >= self.threshold, scores, discussed, facts, keep, floor)
        use = decided[:, discussed].any(axis=0) & chosen.any(axis=0)
        out = decided.copy()
        out[:, discussed[use]] = chosen[:, use]
        return out


def second_training_rows(scores: np.ndarray, labels: np.ndarray, facts: SentenceFacts, first: DiscussionReader,
                         gold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, targets) of one labelled document: every sentence of every tactic the rule found in it, read by a
    `first` reader that never saw the document."""
    discussed, rows = reading_features(scores, labels, facts, first)
    return rows.transpose(1, 0, 2).reshape(-1, len(FEATURES)), gold[:, discussed].T.reshape(-1)


def train_second_reader(rows: np.ndarray, targets: np.ndarray, regularisation: float = 1.0) -> SecondReader:
    return fit_reading(SecondReader, rows, targets, regularisation)
