"""Turn what the user named (paths, manifests, feeds) into one list of BatchItems; read the batch log."""

from __future__ import annotations

from pathlib import Path

from cxinsight.errors import CxError
from cxinsight.settings import Settings
from cxinsight.sources.items import BatchItem, items_from_paths


def collect_items(paths: list[Path], manifests: list[Path], feeds: list[str], settings: Settings) -> tuple[list[BatchItem], str]:
    """A broken manifest or feed becomes one failed item, so the rest of the batch still runs."""
    from cxinsight.sources.feed import read_feed
    from cxinsight.sources.manifest import read_manifest

    items = items_from_paths(paths)
    for manifest in manifests:
        try:
            items += read_manifest(manifest)
        except CxError as exc:
            items.append(BatchItem(str(manifest), "manifest", error=str(exc)))
    for feed in feeds:
        try:
            items += read_feed(feed, Path(settings.store) / "media")
        except CxError as exc:
            items.append(BatchItem(str(feed), "feed", error=str(exc)))
    described = " ".join([*map(str, paths), *(f"--manifest {m}" for m in manifests), *(f"--feed {f}" for f in feeds)])
    return items, described
