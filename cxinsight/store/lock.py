"""One writer at a time per store: a second `ingest` waits, and says so.

An embedded store uses a lock file. A shared Chroma server uses a lease row that every
machine sees: a writer claims it, waits for the claim to settle, and keeps renewing it;
a writer that dies stops renewing, and its lease expires after LEASE_SECONDS.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

LEASE_SECONDS = 60.0
SETTLE_SECONDS = 1.0  # two writers claiming at once both see the last claim after this


@contextlib.contextmanager
def writer_lock(store: Path, notify: Callable[[str], None], timeout: float = -1,
                chroma_url: str | None = None) -> Iterator[None]:
    if chroma_url:
        with _server_lease(store, chroma_url, notify, timeout):
            yield
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
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def _server_lease(store: Path, url: str, notify: Callable[[str], None], timeout: float) -> Iterator[None]:
    from cxinsight.errors import StoreError
    from cxinsight.store.backend import ServerBackend, owner_id

    backend = ServerBackend(url, store)
    me = owner_id()
    started, told = time.monotonic(), False

    def holder() -> dict | None:
        got = backend.meta().get(ids=["lease:writer"], include=["documents"])
        lease = json.loads(got["documents"][0]) if got["ids"] else None
        return lease if lease and lease["expires"] > time.time() else None

    def claim() -> None:
        backend.meta().upsert(ids=["lease:writer"], embeddings=[[1.0]],
                              documents=[json.dumps({"owner": me, "expires": time.time() + LEASE_SECONDS})])

    while True:
        current = holder()
        if current is None or current["owner"] == me:
            claim()
            time.sleep(SETTLE_SECONDS)
            current = holder()
            if current and current["owner"] == me:
                break
        if not told:
            notify(f"store busy: {current['owner'] if current else 'another writer'} is writing to {url}; waiting…")
            told = True
        if 0 <= timeout < time.monotonic() - started:
            raise StoreError(f"{url}: store busy: another writer still holds it after {timeout:.0f} s")
        time.sleep(2.0)

    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(LEASE_SECONDS / 3):
            try:
                claim()
            except Exception:  # the server is away; the batch itself will say so
                pass

    renewer = threading.Thread(target=renew, daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        try:
            backend.meta().delete(ids=["lease:writer"])
        except Exception:
            pass  # unreachable server: the lease expires by itself
