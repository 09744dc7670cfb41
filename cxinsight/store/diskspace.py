"""Telling a full disk from other store failures.

Chroma and SQLite report a full disk in words of their own ("database or disk is full", or only
"Error in compaction: Failed to apply logs" when the Rust side hit it), so the error text alone
does not always say so. The filesystem does: a write that failed with almost no space left is
reported as a full disk, with the original error kept beside it.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

NEARLY_FULL = 16 * 1024 * 1024  # Chroma needs a few MB of room to compact even a small write
_FULL_WORDS = ("disk is full", "no space left", "disk full")


def free_bytes(path: Path) -> int | None:
    """Bytes an unprivileged write could still use on the filesystem holding `path` (or its nearest parent)."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        stat = os.statvfs(path)
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize


def _says_full(exc: BaseException) -> bool:
    while exc is not None:
        if getattr(exc, "errno", None) == errno.ENOSPC or any(w in str(exc).lower() for w in _FULL_WORDS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _size(n: int | None) -> str:
    if n is None:
        return "unknown space"
    return f"{n / 1024:.0f} KB" if n < 10 * 1024 * 1024 else f"{n / 1024 / 1024:.0f} MB"


def disk_full(path: Path, exc: BaseException, judge_by_free_space: bool = True) -> str | None:
    """'no space left on device (N KB free)' when `exc` came from a full disk (on `path`'s), else None.

    `judge_by_free_space`: the failed write went to `path`'s filesystem, so its free space is evidence too; a Chroma
    server's disk is not this machine's, and only the server's own words can say it is full.
    """
    free = free_bytes(path)
    if _says_full(exc) or (judge_by_free_space and free is not None and free < NEARLY_FULL):
        return f"no space left on device ({_size(free)} free)"
    return None
