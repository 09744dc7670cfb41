"""Does the text discuss a tactic at all? A learned decision per episode and candidate tactic.

The rule in `classifier.label` called a tactic discussed when at least `min_sentences` sentences seed it: three
seeds, and a blog that mentions closing old tickets in passing gets root-cause-elimination, while a caption
file whose unpunctuated 60-word sentences carry cleanup-and-catch-up in two of them does not. The judge sees
every tactic with at least one seed, after the discussion reader has read its sentences, and decides from what
is known about the whole discussion: its seeds, the sentences the rule and the reader label, its best scores,
the reader's probabilities, how often it is the best tactic of a sentence, the text's length. It is a logistic
regression trained by `eval --train-head` on the tuning sets (every document scored by a head and read by a
reader that never saw it), stored in the head file as `episode_judge`. A tactic named by an alias is never
dropped. (Measured in README: "Which tactics a text discusses, learned".)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from cxinsight.extract.discussion import DiscussionReader, FirstReading, SentenceFacts
from cxinsight.extract.regression import StandardisedRegression

# One column per feature, in this order; the head file stores the names so a file from another version is refused.
FEATURES = (
    "seeds", "rule_sentences", "read_sentences", "share_read", "best_score", "mean_top3_score", "mean_top5_score",
    "best_probability", "mean_probability_read", "mean_top3_probability", "sum_probability", "named",
    "tactics_with_seeds", "log_sentences", "best_below_text_best", "sentences_best", "share_long_sentences_best",
)


def candidate_features(scores: np.ndarray, labels: np.ndarray, read: np.ndarray, facts: SentenceFacts,
                       seeds: np.ndarray, reader: DiscussionReader,
                       reading: FirstReading | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(the candidate tactics: those the reader kept any sentence of, their (candidates, FEATURES) rows).
    `labels`: the rule's, with any number of seeds; `read`: the reader's reading of them (`reading`: its
    first_reading, if already made)."""
    candidates = np.flatnonzero(read.any(axis=0)) if len(scores) else np.zeros(0, dtype=int)
    if not len(candidates):
        return candidates, np.zeros((0, len(FEATURES)))
    reading = reading or reader.first_reading(scores, labels, facts)
    # All candidates at once (calibration judges every reading of a sweep): columns are candidates.
    column = -np.sort(-scores[:, candidates], axis=0)  # each candidate's scores, best first
    p = np.stack([reading.of(k) for k in candidates], axis=1)
    top_p = -np.sort(-p, axis=0)
    kept = read[:, candidates]
    best = scores.argmax(axis=1)[:, None] == candidates[None, :]
    n = len(scores)
    rows = np.stack([
        seeds[:, candidates].sum(axis=0), labels[:, candidates].sum(axis=0), kept.sum(axis=0), kept.mean(axis=0),
        column[0], column[:3].mean(axis=0), column[:5].mean(axis=0), top_p[0], (p * kept).sum(axis=0) / kept.sum(axis=0),
        top_p[:3].mean(axis=0), p.sum(axis=0), facts.named[:, candidates].any(axis=0),
        np.full(len(candidates), len(candidates)), np.full(len(candidates), np.log(n)), column[0] - column[0].max(),
        best.sum(axis=0), (best & facts.long_enough[:, None]).mean(axis=0),
    ], axis=1)
    return candidates, rows.astype(float)


@dataclass
class EpisodeJudge(StandardisedRegression):
    """A standardised logistic regression over FEATURES; a candidate is kept at probability >= threshold."""

    FEATURES: ClassVar[tuple[str, ...]] = FEATURES
    KIND: ClassVar[str] = "episode judge"

    def decide(self, scores: np.ndarray, labels: np.ndarray, read: np.ndarray, facts: SentenceFacts,
               seeds: np.ndarray, reader: DiscussionReader, reading: FirstReading | None = None) -> np.ndarray:
        """`read` with the tactics the judge does not keep cleared (a tactic named by an alias stays)."""
        candidates, rows = candidate_features(scores, labels, read, facts, seeds, reader, reading)
        out = read.copy()
        if len(candidates):
            dropped = candidates[(self.probabilities(rows) < self.threshold) & ~facts.named[:, candidates].any(axis=0)]
            out[:, dropped] = False
        return out


def train_judge(rows: np.ndarray, targets: np.ndarray, regularisation: float = 1.0) -> EpisodeJudge:
    """Fit on the pooled candidates of the tuning documents; kept at the regression's own 0.5 (not tuned)."""
    return EpisodeJudge.fit(rows, targets, regularisation)
