"""The server writer lease on a real (in-process) Chroma collection: owner-only renew and release, no clocks compared.

The lease only uses get/upsert on one collection, so an EphemeralClient collection runs the same code the
cxinsight_meta collection of a `chroma run` server does; tests/test_server.py covers the server and processes.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from cxinsight.errors import EXIT_PARTIAL, StoreError
from cxinsight.store.lease import ROW, LeaseLost, ServerLease

SECONDS = 0.3  # a lease of 0.3 s: renewals every 0.1 s, a takeover after 0.3 s of silence


@pytest.fixture
def rows():
    from cxinsight.store.chroma_import import import_chromadb

    chromadb = import_chromadb()
    client = chromadb.EphemeralClient(settings=chromadb.config.Settings(anonymized_telemetry=False))
    name = f"meta-{uuid.uuid4().hex[:8]}"
    yield client.get_or_create_collection(name, embedding_function=None)
    client.delete_collection(name)


def lease(rows, owner: str) -> ServerLease:
    return ServerLease(rows, owner, "http://chroma.test:8000", seconds=SECONDS, settle=0.05)


def stored(rows) -> dict:
    return json.loads(rows.get(ids=[ROW], include=["documents"])["documents"][0])


def test_a_silent_owner_is_taken_over_and_can_no_longer_renew_release_or_commit(rows):
    first, second = lease(rows, "laptop-a:101"), lease(rows, "laptop-b:202")
    first.acquire(notify=lambda _: None)
    told = []
    started = time.monotonic()
    second.acquire(notify=told.append)  # `first` never renews: it is paused
    waited = time.monotonic() - started
    assert SECONDS <= waited < SECONDS + 1.0
    assert told == ["store busy: laptop-a:101 is writing to http://chroma.test:8000; waiting…"]
    taken = stored(rows)
    assert taken["owner"] == "laptop-b:202" and taken["counter"] == 2  # the counter goes on across owners

    assert first.renew() is False and stored(rows) == taken  # the paused writer comes back: it writes nothing
    first.release()
    assert stored(rows) == taken  # and does not free the new owner's lease
    with pytest.raises(LeaseLost) as lost:
        first.confirm()
    message = str(lost.value)
    assert message == ("http://chroma.test:8000: lost the writer lease to laptop-b:202; finished episodes are kept, "
                       "re-run to resume")
    assert "\n" not in message and lost.value.exit_code == EXIT_PARTIAL

    second.confirm()  # the owner may commit
    assert second.renew() is True and stored(rows)["counter"] == 3
    second.release()
    assert stored(rows)["released"] is True
    assert first.renew() is False  # a released lease is nobody's to renew
    with pytest.raises(LeaseLost):
        first.confirm()


def test_an_owner_that_keeps_renewing_is_never_taken_over(rows):
    owner, waiter = lease(rows, "laptop-a:101"), lease(rows, "laptop-b:202")
    owner.acquire(notify=lambda _: None)
    with owner.renewing():
        with pytest.raises(StoreError, match="store busy: another writer still holds it after 2 s"):
            waiter.acquire(notify=lambda _: None, timeout=1.5)  # five lease lengths, every one renewed
        owner.confirm()
        assert stored(rows)["counter"] >= 5  # renewed every 0.1 s meanwhile
    owner.release()
    waiter.acquire(notify=lambda _: None, timeout=1.0)  # a released lease is taken at once
    waiter.confirm()


def test_wall_clocks_are_never_compared(rows):
    """A lease written by a machine whose clock is an hour ahead (or an older cxinsight) still goes stale."""
    rows.upsert(ids=[ROW], embeddings=[[1.0]],
                documents=[json.dumps({"owner": "fast-clock:1", "expires": time.time() + 3600})])
    waiter = lease(rows, "laptop-b:202")
    started = time.monotonic()
    waiter.acquire(notify=lambda _: None, timeout=5)
    assert time.monotonic() - started < SECONDS + 1.0
    assert stored(rows)["owner"] == "laptop-b:202"
