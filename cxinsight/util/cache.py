"""Where derived model files live (ONNX export, joined or converted Whisper weights)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    base = os.environ.get("CXINSIGHT_CACHE")
    if base:
        return Path(base)
    import platformdirs

    return Path(platformdirs.user_cache_dir("cxinsight"))


def made_once(target: Path, make) -> Path:
    """`target`, calling make(target) first if it does not exist yet, under a file lock (safe with parallel workers)."""
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    from filelock import FileLock

    with FileLock(str(target.parent / ".lock")):
        if not target.exists():
            make(target)
    return target
