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
