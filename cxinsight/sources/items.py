"""What a batch is made of: one BatchItem per episode, from folders, a manifest or a feed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cxinsight.sources.discover import discover
from cxinsight.sources.metadata import episode_id_for


@dataclass
class BatchItem:
    source: str  # what the user named: a path, "manifest.csv row 3", a feed item's title
    episode_id: str
    path: Path | None = None  # the local file to ingest (set once downloaded)
    url: str = ""  # media or transcript to download first (feeds, manifests)
    overrides: dict = field(default_factory=dict)  # metadata from the manifest or feed
    error: str = ""  # a problem found while listing (row pointing nowhere, item without enclosure)
    alternates: list = field(default_factory=list)  # (url, path) to try in turn when `url` cannot be fetched
    note: str = ""  # said in the outcome, e.g. that the id was changed because another source owns it


def items_from_paths(paths: list[Path]) -> list[BatchItem]:
    return [BatchItem(source=str(p), episode_id=episode_id_for(p), path=Path(p)) for p in discover(paths)]
