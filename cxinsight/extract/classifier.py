"""The embedding classifier: score sentence windows against each tactic's description and examples.

Each tactic is one prototype: the normalised mean of the vectors of its
description and example phrasings. (Measured on corpus/gold.yaml, the centroid
beat the closest-example score: held-out episode F1 0.92 vs 0.65.) A window's
score for a tactic is its cosine to that centroid; a sentence takes the best
score of the windows that contain it. Runs of labelled sentences become
TacticMentions that point at sentence ids (text is never produced here).

A sentence is scored in its context: its vector is mixed with the mean vector of it and its
same-speaker neighbours (`context` in the classifier settings is that mean's weight; no extra
embedding). A discussion that runs over several sentences is then judged as one, while a
sentence's own words still lead. (Chosen by leave-one-episode-out on corpus/gold.yaml against the
sentence alone: sentence F1 0.590 -> 0.648, episode F1 0.923 -> 0.903; a sliding 2- or 3-sentence
window, the sentence's passage as context, hysteresis thresholds and a logistic regression on the
embeddings scored lower; see README.)

A sentence that names a tactic by one of its `aliases` in prompts/tactics.yaml ("our
cleanup and catch-up phase") is labelled with it whatever its score, and a named tactic
needs no minimum number of sentences: a text that names it discusses it.

The show's and the organisation's names are read as "the show" and "the company" for scoring and
alias matching: a name is not evidence. ("Welcome back to the Loyalty Loop, the show where..."
scored 0.52 for closed-loop-feedback, over the 0.44 threshold, and 0.475 for nothing in particular
without the name; a show called "Closing the Loop" would name that tactic in every intro.)
"""

from __future__ import annotations

import re

import numpy as np

from cxinsight.extract.taxonomy import ClassifierConfig, Taxonomy
from cxinsight.models import EpisodeMeta, Sentence, TacticMention

EXTRACTOR = "embedding"


class TacticClassifier:
    def __init__(self, taxonomy: Taxonomy, embedder, config: ClassifierConfig | None = None):
        self.taxonomy = taxonomy
        self.config = config or taxonomy.classifier
        self._embedder = embedder
        centroids = []
        for tactic in taxonomy.tactics:
            centroids.append(embedder.embed([tactic.description, *tactic.examples]).mean(axis=0))
        centroids = np.stack(centroids) if centroids else np.zeros((0, embedder.dimensions), dtype=np.float32)
        self._centroids = centroids / np.clip(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12, None)
        self._aliases = [_alias_pattern(t.aliases) for t in taxonomy.tactics]

    def named(self, sentences: list[Sentence], meta: EpisodeMeta | None = None) -> np.ndarray:
        """(n_sentences, n_tactics) True where a sentence names the tactic by an alias."""
        texts = _without_names([s.text for s in sentences], meta)
        named = np.zeros((len(sentences), len(self._aliases)), dtype=bool)
        for k, pattern in enumerate(self._aliases):
            if pattern is not None:
                named[:, k] = [bool(pattern.search(text)) for text in texts]
        return named

    def sentence_scores(self, sentences: list[Sentence], meta: EpisodeMeta | None = None) -> np.ndarray:
        """(n_sentences, n_tactics) best window score per sentence and tactic."""
        n, n_tactics = len(sentences), len(self.taxonomy.tactics)
        if n == 0:
            return np.zeros((0, n_tactics), dtype=np.float32)
        width = max(1, self.config.window)
        starts = range(max(1, n - width + 1))
        texts = _without_names([s.text for s in sentences], meta)
        windows = [" ".join(texts[i : i + width]) for i in starts]
        vectors = self._embedder.embed(windows)
        if width == 1 and self.config.context > 0:
            mixed = (1 - self.config.context) * vectors + self.config.context * _context(sentences, vectors)
            vectors = mixed / np.clip(np.linalg.norm(mixed, axis=1, keepdims=True), 1e-12, None)
        per_tactic = vectors @ self._centroids.T  # (windows, tactics)
        scores = np.full((n, n_tactics), -1.0, dtype=np.float32)
        for w, i in enumerate(starts):
            block = scores[i : i + width]
            np.maximum(block, per_tactic[w], out=block)
        return scores

    def mentions(self, episode_id: str, sentences: list[Sentence], scores: np.ndarray | None = None,
                 meta: EpisodeMeta | None = None) -> list[TacticMention]:
        if scores is None:
            scores = self.sentence_scores(sentences, meta)
        cfg = self.config
        found: list[TacticMention] = []
        best = scores.max(axis=1) if len(scores) else np.zeros(0)
        long_enough = np.array([len(s.text.split()) >= cfg.min_words for s in sentences], dtype=bool)
        named = self.named(sentences, meta)
        for k, tactic in enumerate(self.taxonomy.tactics):
            labelled = (scores[:, k] >= cfg.threshold) & (scores[:, k] >= best - cfg.margin) & long_enough
            if labelled.sum() < cfg.min_sentences and not named[:, k].any():
                continue  # a passing remark is not a discussion of the tactic (unless it names it)
            labelled |= named[:, k]
            run: list[int] = []
            for i in range(len(sentences) + 1):
                if i < len(sentences) and labelled[i]:
                    run.append(i)
                    continue
                if run:
                    found.append(
                        TacticMention(
                            episode_id=episode_id,
                            tactic_id=tactic.id,
                            sentence_ids=[sentences[j].id for j in run],
                            score=round(float(scores[run, k].max()), 4),
                            extractor=EXTRACTOR,
                        )
                    )
                run = []
        found.sort(key=lambda m: m.sentence_ids[0])
        return found


def _context(sentences: list[Sentence], vectors: np.ndarray) -> np.ndarray:
    """Per sentence: the normalised mean vector of it and the sentences just before and after it by the
    same speaker. (Embedding that 3-sentence text instead scored a little higher on the corpus, held-out
    episode F1 0.937 vs 0.903 at the same sentence F1, but added 57% to extraction's embedding time.)"""
    around = np.empty_like(vectors)
    for i, sentence in enumerate(sentences):
        near = [j for j in (i - 1, i, i + 1) if 0 <= j < len(sentences) and sentences[j].speaker == sentence.speaker]
        around[i] = vectors[near].mean(axis=0)
    return around / np.clip(np.linalg.norm(around, axis=1, keepdims=True), 1e-12, None)


def _without_names(texts: list[str], meta: EpisodeMeta | None) -> list[str]:
    """The texts with the show's and the organisation's names read as "the show" and "the company"."""
    names = [(name, neutral) for name, neutral in ((meta.show, "the show"), (meta.organisation, "the company"))
             if len(name.strip()) >= 3] if meta else []
    if not names:
        return texts
    patterns = [(re.compile(r"\b" + r"\s+".join(map(re.escape, name.split())) + r"\b", re.I), neutral)
                for name, neutral in names]
    out = []
    for text in texts:
        for pattern, neutral in patterns:
            text = pattern.sub(neutral, text)
        out.append(text)
    return out


def _alias_pattern(aliases: list[str]) -> re.Pattern | None:
    """One case-insensitive pattern; spaces and hyphens in an alias match either ("clean-up" = "clean up")."""
    parts = []
    for alias in aliases:
        words = [re.escape(w) for w in re.split(r"[\s\-]+", alias.strip()) if w]
        if words:
            parts.append(r"[\s\-]*".join(words))
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.I) if parts else None
