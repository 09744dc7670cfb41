"""One writer at a time per store: a second `ingest` waits, and says so."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable, Iterator


@contextlib.contextmanager
def writer_lock(store: Path, notify: Callable[[str], None], timeout: float = -1) -> Iterator[None]:
    from filelock import FileLock, Timeout

    Path(store).mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(Path(store) / "ingest.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        notify(f"store busy: another ingest is writing to {store}; waiting for it to finish…")
        lock.acquire(timeout=timeout)
    try:
        yield
    finally:
        lock.release()
