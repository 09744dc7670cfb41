"""The store's own description (store.json): schema version, embedding model, and upgrades.

v1: {schema_version, embedding_model}
v2: adds embedding_dimensions and embedding_probe, the vector of a fixed sentence, so that
    `doctor` can tell a changed embedder from the stored vectors without re-reading passages.
Readers accept every version up to SCHEMA_VERSION; writers (`ingest`, `doctor --repair`) upgrade.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cxinsight.errors import StoreError

SCHEMA_VERSION = 2
PROBE_TEXT = "Customer experience leaders coach middle managers to clear old processes."
INFO_FILE = "store.json"


def check_folder(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path}: is a file, not a cxinsight store folder; pick another --store")


def read_info(path: Path) -> dict | None:
    """store.json as a dict, None when the folder holds no store yet."""
    check_folder(path)
    info_file = path / INFO_FILE
    if not info_file.exists():
        return None
    try:
        info = json.loads(info_file.read_text(encoding="utf-8"))
        version = int(info.get("schema_version", 0))
    except (OSError, ValueError, AttributeError) as exc:
        raise StoreError(f"{info_file}: damaged store description ({exc.__class__.__name__}); "
                         f"run `cxinsight doctor --repair`") from None
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: store schema {version} is newer than this cxinsight understands ({SCHEMA_VERSION}); "
            "upgrade cxinsight (pip install -U cxinsight)"
        )
    return info


def write_info(path: Path, info: dict) -> None:
    """Atomic: a crash leaves the old store.json or the new one, never half of one."""
    tmp = path / f"{INFO_FILE}.tmp{os.getpid()}"
    try:
        tmp.write_text(json.dumps(info, indent=1), encoding="utf-8")
        tmp.replace(path / INFO_FILE)
    except OSError as exc:
        raise StoreError(f"{path}: cannot write to the store ({exc.strerror}); cxinsight needs write access") from None


def new_info(embedding_model: str) -> dict:
    return {"schema_version": 1, "embedding_model": embedding_model}


def probe_vector(embedder) -> list[float]:
    return [round(float(x), 6) for x in embedder.embed([PROBE_TEXT])[0]]
