"""One writer at a time per store: a second `ingest` waits, and says so."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable, Iterator


@contextlib.contextmanager
def writer_lock(store: Path, notify: Callable[[str], None], timeout: float = -1) -> Iterator[None]:
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
