"""The writer lease on a shared Chroma server: one writer at a time across machines, without comparing clocks.

The lease is one row of the cxinsight_meta collection, a JSON document:
  {"owner": "HOST:PID", "claim": random id, "counter": n, "seconds": L, "released": false}
The owner rewrites it with counter + 1 every L/3 seconds. No machine ever reads another's clock: a
waiting writer takes the lease over only after it has seen the very same document (same claim, same
counter) unchanged for L seconds of its own monotonic clock, so the owner has missed three renewals
(it died, was paused or lost the network). The counter never goes back, across owners too.

Chroma has no conditional write, so "only while still the owner" means read, then write: renew and
release touch the row only while it still holds this claim, and a commit re-reads it right before
the episode record is written (`confirm`). What is left is the gap between that read and the one
record upsert that follows it (a few milliseconds, unless the process is paused exactly there).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from typing import Callable, Iterator

from cxinsight.errors import StoreError, StoreFailed

ROW = "lease:writer"
LEASE_SECONDS = 60.0
SETTLE_SECONDS = 1.0  # two writers claiming at once both see the last claim after this


class LeaseLost(StoreFailed):
    """Another writer took the lease over while this one was stalled: the batch stops, finished episodes stay."""


class ServerLease:
    """This process's claim on the lease row of `rows` (the cxinsight_meta collection)."""

    def __init__(self, rows, owner: str, label: str, seconds: float = LEASE_SECONDS, settle: float = SETTLE_SECONDS):
        self.rows, self.owner, self.label = rows, owner, label
        self.seconds, self.settle = seconds, settle
        self.claim = uuid.uuid4().hex[:12]  # a process id can come back after a reboot; this cannot
        self.counter = 0

    # ------------------------------------------------------------------ the row
    def read(self) -> tuple[str | None, dict]:
        """The row as stored (compared as text, so even a document this version cannot parse can expire) and parsed."""
        got = self.rows.get(ids=[ROW], include=["documents"])
        raw = got["documents"][0] if got["ids"] else None
        try:
            lease = json.loads(raw) if raw else {}
        except ValueError:
            lease = {}
        return raw, lease if isinstance(lease, dict) else {}

    def _write(self, released: bool = False) -> None:
        document = {"owner": self.owner, "claim": self.claim, "counter": self.counter, "seconds": self.seconds,
                    "released": released,
                    # Read only by cxinsight versions that compared wall clocks; keeps them waiting, never read here.
                    "expires": 0 if released else time.time() + self.seconds}
        self.rows.upsert(ids=[ROW], embeddings=[[1.0]], documents=[json.dumps(document)])

    def _mine(self, lease: dict) -> bool:
        return lease.get("claim") == self.claim and not lease.get("released")

    # ------------------------------------------------------------------ taking it
    def acquire(self, notify: Callable[[str], None], timeout: float = -1) -> None:
        """Wait until the lease is free or its owner has gone silent for a whole lease; then claim it."""
        started = time.monotonic()
        seen, seen_at, told = None, started, False
        while True:
            raw, lease = self.read()
            now = time.monotonic()
            if raw != seen:  # the owner renewed (or someone else claimed): it is alive, start watching again
                seen, seen_at = raw, now
            silent_for = max(self.seconds, float(lease.get("seconds") or 0))
            if raw is None or lease.get("released") or now - seen_at >= silent_for:
                self.counter = int(lease.get("counter") or 0) + 1
                self._write()
                time.sleep(self.settle)
                raw, lease = self.read()
                if self._mine(lease):
                    return
                seen, seen_at = raw, time.monotonic()  # another writer claimed at the same time and won
            if not told:
                notify(f"store busy: {lease.get('owner') or 'another writer'} is writing to {self.label}; waiting…")
                told = True
            if 0 <= timeout < time.monotonic() - started:
                raise StoreError(f"{self.label}: store busy: another writer still holds it after {timeout:.0f} s")
            time.sleep(min(2.0, self.seconds / 3))

    # ------------------------------------------------------------------ holding it
    def renew(self) -> bool:
        """Bump the counter while this process still owns the lease; False once another writer has it."""
        _, lease = self.read()
        if not self._mine(lease):
            return False
        self.counter = max(self.counter, int(lease.get("counter") or 0)) + 1
        self._write()
        return True

    def confirm(self) -> None:
        """Raise LeaseLost unless this process still owns the lease (called right before each commit)."""
        _, lease = self.read()
        if not self._mine(lease):
            holder = lease.get("owner") or "another writer"
            raise LeaseLost(f"{self.label}: lost the writer lease to {holder}; finished episodes are kept, "
                            "re-run to resume")

    def release(self) -> None:
        """Mark the lease free, only if it is still this process's (never free another writer's lease)."""
        _, lease = self.read()
        if self._mine(lease):
            self.counter += 1
            self._write(released=True)  # kept, not deleted, so the counter keeps counting across owners

    @contextlib.contextmanager
    def renewing(self) -> Iterator[None]:
        """Renew every third of a lease in the background until the block ends or the lease is lost."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(self.seconds / 3):
                try:
                    if not self.renew():
                        return  # lost: the next commit's confirm() stops the batch
                except Exception:  # the server is away; the batch itself will say so
                    pass

        renewer = threading.Thread(target=loop, name="cxinsight-lease", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            stop.set()
            renewer.join(timeout=5)
