"""The embedding classifier: score sentence windows against each tactic's description and examples.

Each tactic is a set of prototype vectors (its description and example phrasings).
A window's score for a tactic is its cosine to the closest prototype; a sentence
takes the best score of the windows that contain it. Runs of labelled sentences
become TacticMentions that point at sentence ids (text is never produced here).
"""

from __future__ import annotations

import numpy as np

from cxinsight.extract.taxonomy import ClassifierConfig, Taxonomy
from cxinsight.models import Sentence, TacticMention

EXTRACTOR = "embedding"


class TacticClassifier:
    def __init__(self, taxonomy: Taxonomy, embedder, config: ClassifierConfig | None = None):
        self.taxonomy = taxonomy
        self.config = config or taxonomy.classifier
        self._embedder = embedder
        texts, owners = [], []
        for k, tactic in enumerate(taxonomy.tactics):
            for text in [tactic.description, *tactic.examples]:
                texts.append(text)
                owners.append(k)
        self._prototypes = embedder.embed(texts)
        self._owners = np.array(owners)

    def sentence_scores(self, sentences: list[Sentence]) -> np.ndarray:
        """(n_sentences, n_tactics) best window score per sentence and tactic."""
        n, n_tactics = len(sentences), len(self.taxonomy.tactics)
        if n == 0:
            return np.zeros((0, n_tactics), dtype=np.float32)
        width = max(1, self.config.window)
        starts = range(max(1, n - width + 1))
        windows = [" ".join(s.text for s in sentences[i : i + width]) for i in starts]
        sims = self._embedder.embed(windows) @ self._prototypes.T  # (windows, prototypes)
        per_tactic = np.full((len(windows), n_tactics), -1.0, dtype=np.float32)
        for k in range(n_tactics):
            per_tactic[:, k] = sims[:, self._owners == k].max(axis=1)
        scores = np.full((n, n_tactics), -1.0, dtype=np.float32)
        for w, i in enumerate(starts):
            block = scores[i : i + width]
            np.maximum(block, per_tactic[w], out=block)
        return scores

    def mentions(self, episode_id: str, sentences: list[Sentence], scores: np.ndarray | None = None) -> list[TacticMention]:
        if scores is None:
            scores = self.sentence_scores(sentences)
        cfg = self.config
        found: list[TacticMention] = []
        for k, tactic in enumerate(self.taxonomy.tactics):
            best = scores.max(axis=1) if len(scores) else np.zeros(0)
            labelled = (scores[:, k] >= cfg.threshold) & (scores[:, k] >= best - cfg.margin)
            run: list[int] = []
            for i in range(len(sentences) + 1):
                if i < len(sentences) and labelled[i]:
                    run.append(i)
                    continue
                if run and any(len(sentences[j].text.split()) >= cfg.min_words for j in run):
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
