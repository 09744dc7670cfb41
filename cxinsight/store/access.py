"""Readers and commits of an embedded store take turns, because Chroma's PersistentClient is not safe across
processes and writes to its files even when opened only to read: opening a client updates chroma.sqlite3,
and the first use of each collection replays Chroma's write log into the HNSW index and rewrites that
index's files in place.

Two lock files in the store folder:
  access.lock  shared by every open reader, from opening its client to closing it, so no commit lands
               under a reader; exclusive for a commit (and for a writer opening its own client), so no
               reader is open while rows are written. filelock's ReadWriteLock rides on SQLite's PENDING
               lock, which prefers writers: a commit waits only for the readers already open, and a
               reader that arrives during a commit waits for that one commit alone.
  load.lock    readers open and load their collections one at a time, since loading rewrites index
               files that another reader may be loading at that moment. A reader takes it after its
               shared lock, so a commit waiting to start also waits for the readers queued to load:
               otherwise a reader let in by one commit could queue here until the next one starts.

  commit.wanted.lock  held by a commit from before it asks for access.lock until it is done: a reader
               that stays open for long (`cxinsight serve`) polls it with writer_waiting() and closes its
               store when it is held, so a commit waits for one request, not for the server's lifetime.

The single-writer lock (ingest.lock, store/lock.py) is separate and unchanged: it makes a second ingest
wait for the first; these locks only keep each commit apart from the readers.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Iterator

from cxinsight.errors import StoreError

# A reader waits for the commit in progress; one that has held the store this long is stuck (a stopped
# process), and the reader says so instead of hanging.
READER_WAIT = 300.0
WANT_LOCK = "commit.wanted.lock"


def writer_waiting(store: Path) -> bool:
    """True while a commit waits for (or holds) the store: a long-lived reader should close and reopen."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(Path(store) / WANT_LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:  # a read-only or vanished store: nobody can commit to it either
        return False
    lock.release()
    return False


class StoreAccess:
    def __init__(self, store: Path, reader_wait: float = READER_WAIT):
        from filelock import FileLock, ReadWriteLock

        self.store = Path(store)
        self.reader_wait = reader_wait
        try:
            # One instance per path in a process (the default): a second Archive in the same process shares
            # its levels, and asking for a commit while this process still reads raises instead of waiting forever.
            self._rw = ReadWriteLock(str(self.store / "access.lock"))
        except Exception as exc:  # noqa: BLE001 - sqlite3 or OS errors, said in one line
            raise self._cannot_lock(exc) from None
        # Not thread-local: the reader's loading thread releases what the opening thread took.
        self._load = FileLock(str(self.store / "load.lock"), thread_local=False)
        self._want = FileLock(str(self.store / WANT_LOCK))  # reentrant, like the write lock
        self._reading = False

    def _cannot_lock(self, exc: Exception) -> StoreError:
        if not os.access(self.store, os.W_OK) or "readonly" in str(exc).lower():
            return StoreError(f"{self.store}: the store is read-only; Chroma needs write access even to read it")
        return StoreError(f"{self.store}: cannot lock the store ({exc.__class__.__name__}: {exc})")

    def _busy(self) -> StoreError:
        return StoreError(f"{self.store}: store busy: a commit has held it for over {self.reader_wait:.0f} s "
                          "(is an ingest stopped?); try again")

    # ---------------------------------------------------------------- readers
    def open_read(self) -> None:
        """Before a reader opens Chroma: wait for the commit in progress, then load alone (see loaded())."""
        from filelock import Timeout

        try:
            self._rw.acquire_read(timeout=self.reader_wait)
        except Timeout:
            raise self._busy() from None
        except Exception as exc:  # noqa: BLE001 - sqlite3 or OS errors, said in one line
            raise self._cannot_lock(exc) from None
        self._reading = True
        try:  # other readers hold it only while loading, never across a commit
            self._load.acquire(timeout=self.reader_wait)
        except Exception as exc:  # noqa: BLE001
            self.close_read()
            raise self._busy() if isinstance(exc, Timeout) else self._cannot_lock(exc) from None

    def loaded(self) -> None:
        """The reader has touched every collection: Chroma writes nothing more while no commit happens."""
        if self._load.is_locked:
            self._load.release()

    def close_read(self) -> None:
        self.loaded()
        if self._reading:
            self._reading = False
            self._rw.release()

    # ---------------------------------------------------------------- commits
    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """No reader is open inside: waits for the open ones to close (each a single command), and holds off
        new ones. Reentrant in one thread, so a write made of smaller writes holds it once throughout."""
        try:
            self._want.acquire()
        except Exception as exc:  # noqa: BLE001
            raise self._cannot_lock(exc) from None
        try:
            try:
                self._rw.acquire_write()
            except RuntimeError:
                raise  # this process still has a reader open: a bug in the caller, not a busy store
            except Exception as exc:  # noqa: BLE001
                raise self._cannot_lock(exc) from None
            try:
                yield
            finally:
                self._rw.release()
        finally:
            self._want.release()


class ArchiveLocks:
    """What one Archive holds of its store's locks, by how it was opened (see Archive's `access`)."""

    def __init__(self, backend, mode: str):
        if mode not in ("read", "commits", "write"):
            raise ValueError(f"access must be read, commits or write, not {mode!r}")
        self.backend = backend
        self.access: StoreAccess | None = None  # stays None on a Chroma server, which orders its own reads and writes
        self.mode = mode
        self._held = contextlib.ExitStack()  # the exclusive lock: while opening ("commits") or for life ("write")

    def opening(self) -> None:
        """Before the client opens (once the store folder exists: a reader of a missing store creates nothing)."""
        self.access = self.backend.access()
        if self.access is None:
            return
        if self.mode == "read":
            self.access.open_read()
        else:
            self._held.enter_context(self.access.exclusive())

    def load(self, passages, mentions, episodes, probe_passages) -> threading.Thread | None:
        """Touch every collection while this process may write: the first use of each (count() will do)
        replays Chroma's log into its vector index and rewrites the index files. A writer does it now; a
        reader on a thread, overlapping the embedder's load (the passage index takes about 1 s at 150k
        passages), and lets the next reader load once done. After that nothing writes until the next commit."""
        if self.access is None:
            return None
        collections = (passages, mentions, episodes)
        if self.mode != "read":
            for collection in collections:
                collection.count()
            return None

        def load() -> None:
            try:
                for collection in collections:
                    collection.count()
            except Exception:  # noqa: BLE001 - the real read reports any problem with the store
                pass
            finally:
                self.access.loaded()
            try:
                probe_passages()  # a query's first use of the vector index, warmed before the real one
            except Exception:  # noqa: BLE001
                pass

        thread = threading.Thread(target=load, name="cxinsight-load-collections", daemon=True)
        thread.start()
        return thread

    def opened(self) -> None:
        if self.mode == "commits":
            self._held.close()  # opened and loaded: readers may come in until the first commit

    def exclusive(self):
        """Hold readers off for a write (nested writes hold it once); nothing to do on a server or when held for life."""
        if self.access is None or self.mode == "write":
            return contextlib.nullcontext()
        if self.mode == "read":
            raise RuntimeError("this archive was opened to read; open it with access='commits' or 'write' to write")
        return self.access.exclusive()

    def release(self) -> None:
        """Everything this archive holds (callers first join any thread still using Chroma)."""
        self._held.close()
        if self.access is not None and self.mode == "read":
            self.access.close_read()
