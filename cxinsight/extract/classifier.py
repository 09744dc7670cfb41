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
window, the sentence's passage as context and a logistic regression on the embeddings scored lower.)

A discussion then grows from its confident sentences into neighbours with a lower score for the
tactic, and small gaps inside it are filled (see `label`). On the sample interviews, whose gold
marks a few key quotes, this did little; on the development set, labelled like the test set (every
sentence that expresses the tactic, details included), the classifier found a quarter of the labelled
sentences without it and about half with it (rules chosen on both sets: see README).

A learned head (extract/head.py; `head:` in the taxonomy's classifier settings) blends a logistic
regression's probability per tactic into each score, trained on the tuning sets' gold sentences: the
centroid knows only the taxonomy's few phrasings of a tactic. The head also reads the sentence's own vector and
the talk around it, whoever speaks (`scoring_vectors`; the centroids score the first block only). The head
file may also carry a discussion reader (extract/discussion.py) that re-reads which sentences of each found tactic carry it, an episode judge
(extract/episode_judge.py) that decides which tactics with a seed the text discusses, and a second reader
(extract/second_reading.py) that re-reads the kept tactics' sentences in the light of the first reading.

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

from cxinsight.extract.discussion import DiscussionReader, SentenceFacts
from cxinsight.extract.episode_judge import EpisodeJudge
from cxinsight.extract.second_reading import SecondReader
from cxinsight.extract.head import TacticHead, input_blocks, taxonomy_head
from cxinsight.extract.taxonomy import ClassifierConfig, Taxonomy
from cxinsight.models import EpisodeMeta, Sentence, TacticMention
from cxinsight.text.people import is_host
from cxinsight.text.sentences import one_voice_runs

EXTRACTOR = "embedding"


class TacticClassifier:
    def __init__(self, taxonomy: Taxonomy, embedder, config: ClassifierConfig | None = None,
                 head: TacticHead | None | bool = True):
        """`head`: True loads the taxonomy's head file (if its settings name one), None or False scores with
        the centroids alone, a TacticHead is used as given (training judges heads this way)."""
        self.taxonomy = taxonomy
        self.config = config or taxonomy.classifier
        self._embedder = embedder
        self.head = taxonomy_head(taxonomy, embedder) if head is True else (head or None)
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

    @property
    def stale_head_tactics(self) -> list[str]:
        """Tactics added or edited since the head was trained: scored by their centroid alone."""
        if self.head is None:
            return []
        return [t.id for t, ok in zip(self.taxonomy.tactics, self.head.current(self.taxonomy.tactics)) if not ok]

    def embedded(self, sentences: list[Sentence], meta: EpisodeMeta | None = None) -> np.ndarray:
        """Each window's own vector (names read as "the show" / "the company"), before any context."""
        width = max(1, self.config.window)
        texts = _without_names([s.text for s in sentences], meta)
        return self._embedder.embed([" ".join(texts[i : i + width]) for i in range(max(1, len(texts) - width + 1))])

    def window_vectors(self, sentences: list[Sentence], meta: EpisodeMeta | None = None,
                       embedded: np.ndarray | None = None) -> np.ndarray:
        """The vectors the centroids score: one per window (context-mixed for one-sentence windows).
        `embedded`: the windows' own embeddings, when the caller already has them."""
        vectors = self.embedded(sentences, meta) if embedded is None else embedded
        if max(1, self.config.window) == 1 and self.config.context > 0:
            mixed = (1 - self.config.context) * vectors + self.config.context * _context(sentences, vectors)
            vectors = mixed / np.clip(np.linalg.norm(mixed, axis=1, keepdims=True), 1e-12, None)
        return vectors

    def scoring_vectors(self, sentences: list[Sentence], meta: EpisodeMeta | None = None,
                        embedded: np.ndarray | None = None, inputs: tuple[str, ...] | None = None) -> np.ndarray:
        """What sentence_scores reads: the window vectors, then the blocks the head reads beside them
        (`inputs`; default the head's own). The centroids score the first block only."""
        own = self.embedded(sentences, meta) if embedded is None else embedded
        if inputs is None:
            inputs = self.head.inputs if self.head is not None else ()
        vectors = self.window_vectors(sentences, meta, own)
        return np.hstack([vectors, *input_blocks(own, inputs)]) if inputs else vectors

    def sentence_scores(self, sentences: list[Sentence], meta: EpisodeMeta | None = None,
                        vectors: np.ndarray | None = None) -> np.ndarray:
        """(n_sentences, n_tactics) best window score per sentence and tactic."""
        n, n_tactics = len(sentences), len(self.taxonomy.tactics)
        if n == 0:
            return np.zeros((0, n_tactics), dtype=np.float32)
        width = max(1, self.config.window)
        vectors = self.scoring_vectors(sentences, meta) if vectors is None else vectors
        per_tactic = vectors[:, : self._centroids.shape[1]] @ self._centroids.T  # (windows, tactics)
        if self.head is not None and self.config.head_weight > 0:
            learned = self.head.scores(vectors, self.taxonomy.tactics)
            held = ~np.isnan(learned[0]) if len(learned) else np.zeros(n_tactics, dtype=bool)
            w = self.config.head_weight
            per_tactic[:, held] = (1 - w) * per_tactic[:, held] + w * learned[:, held]
        scores = np.full((n, n_tactics), -1.0, dtype=np.float32)
        for i in range(len(vectors)):
            block = scores[i : i + width]
            np.maximum(block, per_tactic[i], out=block)
        return scores

    def scores_under(self, sentences: list[Sentence], meta: EpisodeMeta | None,
                     scorings) -> dict[tuple[int, float], np.ndarray]:
        """Sentence scores under each (window, context) of `scorings`, for calibration sweeps; each window
        width is embedded once (the context weights only mix those vectors)."""
        base, embedded, out = self.config, {}, {}
        try:
            for window, context in scorings:
                self.config = base.model_copy(update={"window": window, "context": context})
                if window not in embedded:
                    embedded[window] = self.embedded(sentences, meta)
                vectors = self.scoring_vectors(sentences, meta, embedded[window])
                out[(window, context)] = self.sentence_scores(sentences, meta, vectors)
        finally:
            self.config = base
        return out

    def facts(self, sentences: list[Sentence], meta: EpisodeMeta | None = None) -> SentenceFacts:
        words = np.array([len(s.text.split()) for s in sentences], dtype=int)
        host, guest = (meta.host, meta.guest) if meta else ("", "")
        return SentenceFacts(
            long_enough=words >= self.config.min_words, named=self.named(sentences, meta),
            speakers=np.array([s.speaker for s in sentences], dtype=object),
            question=np.array([s.text.rstrip().endswith("?") for s in sentences], dtype=bool),
            host=np.array([bool(s.speaker) and is_host(s.speaker, host, guest) for s in sentences], dtype=bool),
            words=words)

    def labels(self, sentences: list[Sentence], scores: np.ndarray, meta: EpisodeMeta | None = None) -> np.ndarray:
        """(n_sentences, n_tactics) bool: the rule's labels, re-read by the head's discussion reader and judged by
        its episode judge if it has them."""
        head = self.head
        return read_labels(scores, self.facts(sentences, meta), self.config, head.reader if head else None,
                           head.judge if head else None, head.second if head else None)

    def mentions(self, episode_id: str, sentences: list[Sentence], scores: np.ndarray | None = None,
                 meta: EpisodeMeta | None = None) -> list[TacticMention]:
        if scores is None:
            scores = self.sentence_scores(sentences, meta)
        labels = self.labels(sentences, scores, meta)
        found: list[TacticMention] = []
        for k, tactic in enumerate(self.taxonomy.tactics):
            run: list[int] = []
            for i in range(len(sentences) + 1):
                if i < len(sentences) and labels[i, k]:
                    run.append(i)
                    continue
                for voice in one_voice_runs(run, sentences):
                    found.append(
                        TacticMention(
                            episode_id=episode_id,
                            tactic_id=tactic.id,
                            sentence_ids=[sentences[j].id for j in voice],
                            score=round(float(scores[voice, k].max()), 4),
                            extractor=EXTRACTOR,
                        )
                    )
                run = []
        found.sort(key=lambda m: m.sentence_ids[0])
        return found


def label(scores: np.ndarray, long_enough: np.ndarray, named: np.ndarray, cfg: ClassifierConfig,
          speakers: np.ndarray | None = None) -> np.ndarray:
    """(n_sentences, n_tactics) True where a sentence is labelled with a tactic.

    Seeds: a long-enough sentence whose score passes the threshold and is its best (within `margin`).
    A tactic with fewer than `min_sentences` seeds is a passing remark, not a discussion, unless a sentence
    names it. A discussion then grows from its seeds into neighbours that pass the lower `grow_threshold`
    (hysteresis) within `grow_margin` of the best score among the tactics the text discusses, and gaps of up
    to `fill_gap` sentences inside it are filled: the sentences that give a tactic's details ("The answers
    filled a spreadsheet with 300 rows") rarely look like the tactic alone.
    Growth and filling stay within one speaker's turn: a host's "So where did you start?" next to the
    answer is not part of it. (`speakers`: one label per sentence; None or all "" for unlabelled text.)
    """
    if not len(scores):
        return np.zeros(scores.shape, dtype=bool)
    seeds = seed_sentences(scores, long_enough, cfg)
    discussed = (seeds.sum(axis=0) >= cfg.min_sentences) | named.any(axis=0)
    labels = (seeds | named) & discussed
    turn_starts = np.zeros(len(scores), dtype=bool)
    if speakers is not None:
        turn_starts[1:] = speakers[1:] != speakers[:-1]
    turn = np.cumsum(turn_starts)
    if cfg.grow_threshold is not None:
        # The margin is against the best tactic the text discusses: a detail of tactic A's discussion that
        # happens to score higher for a tactic discussed nowhere in the text is still part of A's.
        in_text = np.where(discussed[None, :], scores, -np.inf).max(axis=1, keepdims=True)
        passes = (scores >= cfg.grow_threshold) & (scores >= in_text - cfg.grow_margin)
        for k in np.flatnonzero(discussed):
            labels[:, k] = _grow(labels[:, k], passes[:, k], turn_starts)
    if cfg.fill_gap > 0:
        for k in np.flatnonzero(discussed):
            at = np.flatnonzero(labels[:, k])
            for a, b in zip(at[:-1], at[1:]):
                if b - a <= cfg.fill_gap + 1 and turn[a] == turn[b]:
                    labels[a:b, k] = True
    return labels


def read_labels(scores: np.ndarray, facts: SentenceFacts, cfg: ClassifierConfig,
                reader: DiscussionReader | None = None, judge: EpisodeJudge | None = None,
                second: SecondReader | None = None) -> np.ndarray:
    """The rule's labels, re-read by a discussion reader when there is one; it keeps the rule's seeds and the
    sentences that name a tactic. With an episode judge (which needs the reader), every tactic with a seed is a
    candidate (`min_sentences` is the judge's to decide) and the judge keeps the ones the text discusses. A
    second reader (which needs the first) then re-reads the sentences of the tactics kept."""
    if judge is not None and reader is not None:
        cfg = candidate_rule(cfg)
    labels = label(scores, facts.long_enough, facts.named, cfg, facts.speakers)
    if reader is None:
        return labels
    return reread(scores, facts, labels, seed_sentences(scores, facts.long_enough, cfg), reading_floor(cfg), reader,
                  judge, second)


def reread(scores: np.ndarray, facts: SentenceFacts, labels: np.ndarray, seeds: np.ndarray, floor: float,
           reader: DiscussionReader, judge: EpisodeJudge | None = None, second: SecondReader | None = None) -> np.ndarray:
    """What read_labels makes of the rule's `labels` and `seeds`: read, judged, read again."""
    keep = seeds | facts.named
    first = reader.first_reading(scores, labels, facts)  # what the reader, the judge and the second reader all read
    read = reader.read(scores, labels, facts, keep, floor, first)
    decided = judge.decide(scores, labels, read, facts, seeds, reader, first) if judge is not None else read
    return second.reread(scores, labels, facts, reader, decided, keep, floor, first) if second is not None else decided


def candidate_rule(cfg: ClassifierConfig) -> ClassifierConfig:
    """The rule with every tactic that has a seed a candidate: with an episode judge, it decides, not min_sentences."""
    return cfg.model_copy(update={"min_sentences": 1})


def reading_floor(cfg: ClassifierConfig) -> float:
    """The least score for a tactic at which the discussion reader may label a sentence: what growth could reach."""
    return cfg.grow_threshold if cfg.grow_threshold is not None else cfg.threshold


def seed_sentences(scores: np.ndarray, long_enough: np.ndarray, cfg: ClassifierConfig) -> np.ndarray:
    """A long-enough sentence whose score passes the threshold and is its best (within `margin`)."""
    best = scores.max(axis=1, keepdims=True)
    return (scores >= cfg.threshold) & (scores >= best - cfg.margin) & long_enough[:, None]


def _grow(seeds: np.ndarray, passes: np.ndarray, turn_starts: np.ndarray) -> np.ndarray:
    """Every run of consecutive passing-or-seed sentences of one turn that holds a seed."""
    joined = seeds | passes
    starts = turn_starts.copy()
    starts[0] = True
    starts[1:] |= ~joined[:-1] | ~joined[1:]
    run_id = np.cumsum(starts)
    seeded = np.zeros(run_id[-1] + 1, dtype=bool)
    seeded[run_id[seeds]] = True
    return joined & seeded[run_id]


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
