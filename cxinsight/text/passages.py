"""Passages tagged with their tactics, and the texts to embed for one episode."""

from __future__ import annotations

import numpy as np

from cxinsight.models import Episode, Passage, TacticMention
from cxinsight.text.sentences import exact_times, group_passages


def assemble(episode: Episode, mentions: list[TacticMention], embedder) -> tuple[list[Passage], np.ndarray]:
    """Passages tagged with their tactics, and the vectors to store: passages, then mentions, then the title line."""
    passages = group_passages(episode.sentences, episode.id, exact=exact_times(episode.transcript))
    by_sentence: dict[str, list[str]] = {}
    for mention in mentions:
        for sid in mention.sentence_ids:
            by_sentence.setdefault(sid, []).append(mention.tactic_id)
    for passage in passages:
        passage.tactics = sorted({t for sid in passage.sentence_ids for t in by_sentence.get(sid, [])})
    sentences = {s.id: s for s in episode.sentences}
    vectors = embedder.embed(
        [p.text for p in passages]
        + [" ".join(sentences[s].text for s in m.sentence_ids) for m in mentions]
        + [f"{episode.meta.title}. {episode.meta.guest} {episode.meta.organisation}"]
    )
    return passages, vectors
