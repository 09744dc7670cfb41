"""The batch log: what each batch was asked to do and how each item ended.

SQLite in the store (`batches.sqlite3`). Items are written as pending when a
batch starts and updated as each finishes, so after Ctrl-C or kill -9
`cxinsight status` shows what is done, what failed (with the reason) and what
is still pending; re-running the batch picks the pending ones up.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path

from cxinsight.errors import UsageError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (id TEXT PRIMARY KEY, started REAL, finished REAL, sources TEXT);
CREATE TABLE IF NOT EXISTS items (
    batch TEXT, seq INTEGER, source TEXT, episode_id TEXT, status TEXT, detail TEXT, updated REAL,
    PRIMARY KEY (batch, seq));
"""


class BatchLog:
    def __init__(self, store: Path):
        self.path = Path(store) / "batches.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30)
        self._db.executescript(_SCHEMA)

    def start(self, items: list, sources: str) -> str:
        batch = uuid.uuid4().hex[:12]
        with self._db:
            self._db.execute("INSERT INTO batches VALUES (?, ?, NULL, ?)", (batch, time.time(), sources))
            self._db.executemany(
                "INSERT INTO items VALUES (?, ?, ?, ?, 'pending', '', ?)",
                [(batch, i, item.source, item.episode_id, time.time()) for i, item in enumerate(items)],
            )
        return batch

    def update(self, batch: str, seq: int, status: str, detail: str = "", episode_id: str | None = None) -> None:
        with self._db:
            self._db.execute(
                "UPDATE items SET status = ?, detail = ?, updated = ?, episode_id = COALESCE(?, episode_id) "
                "WHERE batch = ? AND seq = ?", (status, detail, time.time(), episode_id, batch, seq))

    def finish(self, batch: str) -> None:
        with self._db:
            self._db.execute("UPDATE batches SET finished = ? WHERE id = ?", (time.time(), batch))

    def last(self) -> dict | None:
        row = self._db.execute("SELECT id, started, finished, sources FROM batches ORDER BY started DESC LIMIT 1").fetchone()
        if row is None:
            return None
        items = self._db.execute(
            "SELECT source, episode_id, status, detail, updated FROM items WHERE batch = ? ORDER BY seq", (row[0],)
        ).fetchall()
        return {
            "batch": row[0], "started": row[1], "finished": row[2], "sources": row[3],
            "items": [dict(zip(("source", "episode_id", "status", "detail", "updated"), r)) for r in items],
        }

    def close(self) -> None:
        self._db.close()


def last_batch(store: Path) -> dict | None:
    if not (Path(store) / "batches.sqlite3").exists():
        if not (Path(store) / "store.json").exists():
            raise UsageError(f"{store}: no cxinsight store here yet; run `cxinsight ingest PATH` first")
        return None
    log = BatchLog(store)
    try:
        return log.last()
    finally:
        log.close()
