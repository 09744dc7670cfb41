"""SHA-256 checks of bundled model files, once per file version (not on every start).

A weight file that does not match the hash pinned here (a corrupt download, a different
package release) stops with one line instead of producing quietly wrong transcripts or
embeddings. A verified file is remembered by path, size and modification time.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from cxinsight.errors import UsageError
from cxinsight.util.cache import cache_dir


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, expected: str, package: str) -> None:
    """Raise a one-line UsageError if `path` is not the file `package` is pinned to."""
    path = Path(path)
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    ledger = cache_dir() / "verified-weights.json"
    try:
        seen = json.loads(ledger.read_text())
    except (OSError, ValueError):
        seen = {}
    if seen.get(key) == expected:
        return
    actual = sha256_of(path)
    if actual != expected:
        raise UsageError(f"{path}: SHA-256 {actual[:12]}… does not match the pinned {expected[:12]}… of {package}; "
                         f"reinstall it (pip install --force-reinstall {package})")
    seen[key] = expected
    ledger.parent.mkdir(parents=True, exist_ok=True)
    tmp = ledger.with_name(f"{ledger.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(seen))
    tmp.replace(ledger)
