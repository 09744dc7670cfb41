"""One writer at a time per store: a second `ingest` waits, and says so.

An embedded store uses a lock file. A shared Chroma server uses a lease row that every
machine sees (store/lease.py): a writer claims it and keeps renewing it; a writer that dies
or stalls stops renewing, and another takes over after a whole lease of silence.
`writer_lock` yields what a commit must confirm first: the server lease, or None for a lock
file (which cannot be lost while the process lives).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable, Iterator

from cxinsight.store.lease import LEASE_SECONDS


@contextlib.contextmanager
def writer_lock(store: Path, notify: Callable[[str], None], timeout: float = -1,
                chroma_url: str | None = None, lease_seconds: float = LEASE_SECONDS) -> Iterator[object]:
    if chroma_url:
        with _server_lease(store, chroma_url, notify, timeout, lease_seconds) as lease:
            yield lease
        return
    from filelock import FileLock, Timeout

    from cxinsight.errors import StoreError
    from cxinsight.store.schema import check_folder

    check_folder(Path(store))
    lock = FileLock(str(Path(store) / "ingest.lock"))
    try:
        Path(store).mkdir(parents=True, exist_ok=True)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            notify(f"store busy: another writer is using {store}; waiting for it to finish…")
            lock.acquire(timeout=timeout)
    except Timeout:
        raise StoreError(f"{store}: store busy: another writer still holds it after {timeout:.0f} s") from None
    except OSError as exc:
        raise StoreError(f"{store}: cannot write to the store ({exc.strerror}); cxinsight needs write access") from None
    try:
        yield None
    finally:
        lock.release()


@contextlib.contextmanager
def _server_lease(store: Path, url: str, notify: Callable[[str], None], timeout: float,
                  lease_seconds: float) -> Iterator[object]:
    from cxinsight.store.backend import ServerBackend, owner_id
    from cxinsight.store.lease import ServerLease

    lease = ServerLease(ServerBackend(url, store).meta(), owner_id(), url, seconds=lease_seconds)
    lease.acquire(notify, timeout)
    try:
        with lease.renewing():
            yield lease
    finally:
        try:
            lease.release()
        except Exception:
            pass  # unreachable server: the lease goes stale by itself
