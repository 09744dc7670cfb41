"""A second, learned reading of a discussion: which of its sentences carry the tactic.

The rule in `classifier.label` finds the tactics a text discusses well (seeds, then growth), but decides each
sentence from its own score and its neighbours' by fixed thresholds. Labellers mark whole stretches of talk:
a host's bridge, a detail ("the answers filled a spreadsheet"), the sentence before the point. This reader is
a logistic regression over what is known about a sentence inside one discussed tactic: its score and rank,
its neighbours' scores, the rule's label and the distance to it, the turn around it (mean and best score,
length, place), whether it is a question or the host's, its length. It is trained by `eval --train-head` on
the tuning sets with every document scored by a head that never saw it (the scores the reader meets on new
text), and stored in the head file. It never adds or removes a tactic from an episode: it only re-reads the
sentences of tactics the rule found, keeps the rule's seeds (a sentence that clearly carries the tactic)
and every sentence that names it by an alias, and leaves the rule's labels when it would keep none. (Measured in README: "A second reading of each discussion".)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from cxinsight.extract.regression import StandardisedRegression

# One column per feature, in this order; the head file stores the names so a file from another version is refused.
FEATURES = (
    "score", "score_below_best", "score_below_discussed", "rank_among_discussed", "rule_label",
    "distance_to_rule_label", "at_rule_label", "next_to_rule_label", "within_3_of_rule_label",
    "score_prev", "score_next", "score_prev2", "score_next2", "score_mean_5",
    "rule_label_prev", "rule_label_next", "same_turn_prev", "same_turn_next",
    "long_enough", "named", "share_of_text_labelled", "tactics_discussed", "turn_length", "place_in_turn",
    "question", "host", "log_words", "score_minus_prev", "score_minus_next",
    "turn_mean_score", "turn_best_score", "score_mean_9",
)


@dataclass
class SentenceFacts:
    """What the reader knows about each sentence besides its scores."""
    long_enough: np.ndarray  # bool
    named: np.ndarray        # (sentences, tactics) bool: names the tactic by an alias
    speakers: np.ndarray     # object: one label per sentence ("" when unlabelled)
    question: np.ndarray     # bool: ends with "?"
    host: np.ndarray         # bool: a line known to be the host's
    words: np.ndarray        # int: its number of words


def shift(values: np.ndarray, by: int, fill: float) -> np.ndarray:
    """values moved `by` rows later (positive: row i holds values[i - by]), along the first axis."""
    out = np.full(values.shape, fill, dtype=float)
    if by > 0:
        out[by:] = values[:-by]
    elif by < 0:
        out[:by] = values[-by:]
    else:
        out[:] = values
    return out


def moving_mean(values: np.ndarray, width: int) -> np.ndarray:
    """Mean over `width` rows centred on each row, the first and last rows repeated beyond the ends."""
    half = width // 2
    padded = np.concatenate([np.repeat(values[:1], half, axis=0), values, np.repeat(values[-1:], half, axis=0)])
    sums = np.concatenate([np.zeros((1, *values.shape[1:])), np.cumsum(padded, axis=0)])
    return (sums[width:] - sums[:-width]) / width


def _distance_to(marked: np.ndarray) -> np.ndarray:
    """Per row and column: how many rows away the nearest True of that column is (columns hold at least one)."""
    n = len(marked)
    rows = np.arange(n)[:, None]
    before = np.maximum.accumulate(np.where(marked, rows, -n), axis=0)
    after = np.minimum.accumulate(np.where(marked, rows, 2 * n)[::-1], axis=0)[::-1]
    return np.minimum(rows - before, after - rows)


def turns(speakers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(each turn's first sentence, each sentence's turn, each turn's length): a turn is a run of one speaker."""
    n = len(speakers)
    turn_starts = np.ones(n, dtype=bool)
    turn_starts[1:] = speakers[1:] != speakers[:-1]
    starts = np.flatnonzero(turn_starts)
    return starts, np.cumsum(turn_starts) - 1, np.diff(np.append(starts, n))


def turn_means(values: np.ndarray, speakers: np.ndarray) -> np.ndarray:
    """Per row, the mean of `values` (rows, columns) over the row's turn."""
    starts, turn, lengths = turns(speakers)
    return (np.add.reduceat(values, starts, axis=0) / lengths[:, None])[turn]


def features(scores: np.ndarray, labels: np.ndarray, facts: SentenceFacts) -> dict[int, np.ndarray]:
    """Per discussed tactic k (one the rule labelled anywhere): its (sentences, FEATURES) matrix."""
    discussed, stacked = feature_array(scores, labels, facts)
    return {int(k): stacked[:, j] for j, k in enumerate(discussed)}


def feature_array(scores: np.ndarray, labels: np.ndarray, facts: SentenceFacts) -> tuple[np.ndarray, np.ndarray]:
    """(the discussed tactics, their (sentences, discussed tactics, FEATURES) array), all computed together:
    calibration reads every rule's labels through this."""
    n = len(scores)
    discussed = np.flatnonzero(labels.any(axis=0)) if n else np.zeros(0, dtype=int)
    if not len(discussed):
        return discussed, np.zeros((n, 0, len(FEATURES)))
    score, labelled = scores[:, discussed].astype(float), labels[:, discussed]
    flag = labelled.astype(float)
    starts, turn, lengths = turns(facts.speakers)
    turn_starts = np.zeros(n, dtype=bool)
    turn_starts[starts] = True
    same_prev = np.append(False, ~turn_starts[1:])
    same_next = np.append(~turn_starts[1:], False)
    distance = _distance_to(labelled).clip(0, 10).astype(float)
    rank = (score[:, None, :] > score[:, :, None]).sum(axis=2)  # [i, k]: discussed tactics scoring above k
    turn_mean = turn_means(score, facts.speakers)
    turn_best = np.maximum.reduceat(score, starts, axis=0)[turn]
    per_sentence = lambda column: np.broadcast_to(np.asarray(column, dtype=float)[:, None], score.shape)  # noqa: E731
    stacked = np.stack([
        score, score - scores.max(axis=1)[:, None], score - score.max(axis=1)[:, None], rank, flag, distance,
        distance == 0, distance == 1, distance <= 3,
        shift(score, 1, 0), shift(score, -1, 0), shift(score, 2, 0), shift(score, -2, 0), moving_mean(score, 5),
        shift(flag, 1, 0), shift(flag, -1, 0), per_sentence(same_prev), per_sentence(same_next),
        per_sentence(facts.long_enough), facts.named[:, discussed], np.broadcast_to(flag.mean(axis=0), score.shape),
        np.full(score.shape, len(discussed)), per_sentence(lengths[turn].clip(0, 30)),
        per_sentence((np.arange(n) - starts[turn]).clip(0, 30)), per_sentence(facts.question), per_sentence(facts.host),
        per_sentence(np.log1p(facts.words)), score - shift(score, 1, 0), score - shift(score, -1, 0),
        turn_mean, turn_best, moving_mean(score, 9),
    ], axis=-1).astype(float)
    return discussed, stacked


@dataclass
class FirstReading:
    """What the discussion reader sees and says about the tactics the rule found in one text, computed once: the
    episode judge and the second reader read it too."""
    discussed: np.ndarray      # the tactics the rule labelled anywhere
    rows: np.ndarray           # (sentences, discussed, FEATURES)
    probabilities: np.ndarray  # (sentences, discussed): the reader's

    def of(self, tactic: int) -> np.ndarray:
        """The reader's probabilities for one tactic (zeros if the rule did not find it)."""
        at = np.flatnonzero(self.discussed == tactic)
        return self.probabilities[:, at[0]] if len(at) else np.zeros(len(self.rows))


@dataclass
class DiscussionReader(StandardisedRegression):
    """A standardised logistic regression over FEATURES, and the probability from which a sentence is labelled."""

    FEATURES: ClassVar[tuple[str, ...]] = FEATURES
    KIND: ClassVar[str] = "discussion reader"

    def first_reading(self, scores: np.ndarray, labels: np.ndarray, facts: SentenceFacts) -> FirstReading:
        discussed, rows = feature_array(scores, labels, facts)
        return FirstReading(discussed, rows, self.probabilities(rows) if rows.size else np.zeros(rows.shape[:2]))

    def read(self, scores: np.ndarray, labels: np.ndarray, facts: SentenceFacts, keep: np.ndarray | None = None,
             floor: float = -np.inf, reading: FirstReading | None = None) -> np.ndarray:
        """The rule's `labels` re-read: same tactics, sentences chosen by the reader. `keep` (sentences, tactics):
        sentences that stay labelled whatever the reader says (the rule's seeds and those naming the tactic).
        Beyond those it labels only statements scoring at least `floor` for the tactic: next to a discussion it
        otherwise took "Her daughter plays the cello." (0.10) and the host's "So where did you start?" on short
        texts (held out over the 42 tuning documents, both guards together: word F1 0.680 either way).
        `reading`: this reader's first_reading of the same labels, if already made."""
        reading = reading or self.first_reading(scores, labels, facts)
        discussed = reading.discussed
        chosen = choose(reading.probabilities >= self.threshold, scores, discussed, facts,
                        facts.named if keep is None else keep, floor)
        out = labels.copy()
        some = chosen.any(axis=0)
        out[:, discussed[some]] = chosen[:, some]
        return out


def choose(wanted: np.ndarray, scores: np.ndarray, discussed: np.ndarray, facts: SentenceFacts, keep: np.ndarray,
           floor: float) -> np.ndarray:
    """(sentences, discussed tactics): the sentences a reader `wanted` that are statements scoring at least
    `floor` for the tactic, and every sentence of `keep` (sentences, tactics)."""
    plausible = (scores[:, discussed] >= floor) & ~facts.question[:, None]
    return (wanted & plausible) | keep[:, discussed]


def training_rows(scores: np.ndarray, labels: np.ndarray, facts: SentenceFacts, gold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, targets) of one labelled document: every sentence of every tactic the rule found in it."""
    found = features(scores, labels, facts)
    if not found:
        return np.zeros((0, len(FEATURES))), np.zeros(0, dtype=bool)
    return np.vstack(list(found.values())), np.concatenate([gold[:, k] for k in found])


THRESHOLDS = np.round(np.arange(0.2, 0.7001, 0.025), 3)


def train_reader(rows: np.ndarray, targets: np.ndarray, regularisation: float = 1.0) -> DiscussionReader:
    """Fit on the pooled rows of the tuning documents; the threshold is the one that maximises pooled sentence
    F1 on those rows (the rule's growth settings were chosen the same way)."""
    return fit_reading(DiscussionReader, rows, targets, regularisation)


def fit_reading(kind, rows: np.ndarray, targets: np.ndarray, regularisation: float = 1.0):
    """A `kind` of StandardisedRegression fitted on pooled rows, at the threshold of best pooled sentence F1."""
    reader = kind.fit(rows, targets, regularisation)
    p = reader.probabilities(rows)
    f1 = [2 * ((p >= t) & targets).sum() / max(1, (p >= t).sum() + targets.sum()) for t in THRESHOLDS]
    reader.threshold = float(THRESHOLDS[int(np.argmax(f1))])
    return reader
