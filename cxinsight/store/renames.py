"""A user's corrections to speaker names (`cxinsight speakers --rename`), kept per episode.

They live beside the store in speakers.json so that a later re-ingest of the same
episode (a new taxonomy, --force) keeps them without asking again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FILE = "speakers.json"


def load_renames(store: Path, episode_id: str | None = None) -> dict:
    """All renames ({episode id: {old: new}}), or one episode's ({old: new})."""
    path = Path(store) / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}
    return data.get(episode_id, {}) if episode_id is not None else data


def add_rename(store: Path, episode_id: str, old: str, new: str) -> None:
    """Record old -> new for an episode; an earlier rename to `old` now ends at `new` too."""
    data = load_renames(store)
    renames = data.setdefault(episode_id, {})
    for key, value in list(renames.items()):
        if value == old:
            renames[key] = new
    renames[old] = new
    path = Path(store) / FILE
    tmp = path.with_name(f"{FILE}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)

