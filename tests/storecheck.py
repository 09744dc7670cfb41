"""Store oracles for tests: consistency (no orphans, no duplicates, mentions point at sentences) and a logical snapshot."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

LOCK_FILES = ("batches.sqlite3", "ingest.lock", "access.lock", "load.lock", "commit.wanted.lock")


def assert_consistent(store: Path, expected: int) -> None:
    from cxinsight.embed import MODEL_NAME, get_embedder
    from cxinsight.store.archive import Archive
    from cxinsight.store.integrity import check

    archive = Archive(store, MODEL_NAME)
    try:
        records = archive.records()
        assert len(records) == expected
        rows = archive.passages.get(include=["metadatas"])["metadatas"]
        committed = [m for m in rows if archive.is_committed(m["episode_id"], m["ingest_id"])]
        assert len(rows) == len(committed)  # no orphans of a killed run are left
        ids = [m["passage_id"] for m in committed]
        assert len(ids) == len(set(ids)) == sum(r["passages"] for r in records.values())  # no duplicates, complete
        mention_rows = archive.mentions.get(include=["metadatas"])["metadatas"]
        assert all(archive.is_committed(m["episode_id"], m["ingest_id"]) for m in mention_rows)
        assert len(mention_rows) == sum(r["mentions"] for r in records.values())
        for episode_id in records:
            episode, mentions = archive.load_episode(episode_id)
            sentence_ids = {s.id for s in episode.sentences}
            assert all(set(m.sentence_ids) <= sentence_ids for m in mentions)
        assert archive.keyword.count() == len(ids)
        health = check(archive, get_embedder())
        assert [f for f in health.findings if f.check != "schema"] == [], health.findings
    finally:
        archive.close()


def snapshot(store: Path) -> dict:
    """Everything a user could read from a store, read with chromadb and sqlite3 directly (not our code)."""
    store = Path(store)
    if not store.exists():
        return {"exists": False}
    if store.is_file():
        return {"file": store.read_bytes()}
    # The batch log records failed batches by design; SQLite's -wal/-shm files come and go with connections;
    # the lock files appear with the first writer or reader and hold nothing.
    state: dict = {"files": sorted(p.name for p in store.iterdir() if p.name not in LOCK_FILES
                                   and not p.name.endswith(("-wal", "-shm", "-journal")))}
    info = store / "store.json"
    state["store.json"] = info.read_text() if info.exists() else None
    if (store / "chroma").is_dir():
        import chromadb
        from chromadb.config import Settings

        client = chromadb.PersistentClient(path=str(store / "chroma"), settings=Settings(anonymized_telemetry=False))
        try:
            for collection in client.list_collections():
                got = client.get_collection(collection.name).get(include=["documents", "metadatas"])
                state[collection.name] = sorted(zip(got["ids"], got["documents"],
                                                    [json.dumps(m, sort_keys=True) for m in got["metadatas"]]))
        finally:
            client.close()  # a cached client would not see later writes by other processes
    keyword = store / "keyword.sqlite3"
    if keyword.exists():
        with sqlite3.connect(keyword) as db:
            state["keyword"] = sorted(db.execute("SELECT passage_id, ingest_id, text FROM passages"))
    for folder in ("transcripts", "media", "journal"):
        if (store / folder).is_dir():
            state[folder] = sorted(p.name for p in (store / folder).iterdir())
    return state
