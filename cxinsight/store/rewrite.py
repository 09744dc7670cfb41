"""Write a stored episode again from its stored transcript: passages re-cut, vectors re-made, no model but the embedder.

doctor --repair uses it for damaged episodes, `speakers --rename` after a name changed.
"""

from __future__ import annotations

from cxinsight.models import Episode, TacticMention
from cxinsight.text.passages import assemble

# What an ingest recorded about how the episode was made: kept across a rewrite.
_KEPT = ("taxonomy", "labelling", "extractor", "transcriber", "llm_fallback", "language", "source")


def rewrite_episode(archive, embedder, episode: Episode, mentions: list[TacticMention]) -> str:
    """Commit `episode` (same id, same content hash) with fresh passages; returns the new ingest id."""
    record = archive.record(episode.id) or {}
    passages, vectors = assemble(episode, mentions, embedder)
    n_p, n_m = len(passages), len(mentions)
    return archive.write_episode(episode, passages, vectors[:n_p], mentions, vectors[n_p : n_p + n_m], vectors[-1],
                                 extra={k: record[k] for k in _KEPT if k in record})
