"""Integrity checks over a store: every row belongs to a committed episode, every mention
points at sentences that exist, the keyword index agrees with Chroma, the vectors match the embedder.

Checks only read. Each finding says whether `cxinsight doctor --repair` can mend it.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cxinsight.errors import StoreError
from cxinsight.store import schema

_PAGE = 5000


@dataclass
class Finding:
    check: str
    detail: str
    episode_id: str = ""
    action: str = ""  # what --repair does: "delete-orphans", "reindex", "rebuild-keyword", "upgrade", "clean", "" (cannot)


@dataclass
class Health:
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, check: str, detail: str, episode_id: str = "", action: str = "") -> None:
        self.findings.append(Finding(check, detail, episode_id, action))

    def episodes_to_reindex(self) -> list[str]:
        return sorted({f.episode_id for f in self.findings if f.action == "reindex" and f.episode_id})


def rows(collection, include: list[str]):
    """Every row of a Chroma collection as (id, metadata, extra...), page by page."""
    offset = 0
    while True:
        got = collection.get(include=include, limit=_PAGE, offset=offset)
        if not got["ids"]:
            return
        for i, pid in enumerate(got["ids"]):
            yield pid, {key: got[key][i] for key in include}
        offset += len(got["ids"])


def sample_embedding_agreement(archive, embedder, n: int = 16) -> float | None:
    """Lowest cosine between stored passage vectors and the embedder's vectors for the same text."""
    got = archive.passages.get(include=["documents", "embeddings"], limit=n)
    if not got["ids"]:
        return None
    stored = np.asarray(got["embeddings"], dtype=np.float32)
    if stored.shape[1] != embedder.dimensions:
        return -1.0
    fresh = embedder.embed(list(got["documents"]))
    return float(np.min(np.sum(stored * fresh, axis=1)))


def sqlite_problem(path: Path) -> str:
    if not path.exists():
        return ""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return "" if result == "ok" else result


def check(archive, embedder) -> Health:
    health = Health()
    records = archive.records()
    health.counts["episodes"] = len(records)
    if archive.info.get("schema_version", 0) < schema.SCHEMA_VERSION:
        health.add("schema", f"store schema {archive.info.get('schema_version')} is older than "
                   f"{schema.SCHEMA_VERSION}", action="upgrade")

    sentences: dict[str, set[str]] = {}
    for episode_id in records:
        try:
            episode, _ = archive.load_episode(episode_id)
            sentences[episode_id] = {s.id for s in episode.sentences}
        except Exception as exc:  # a damaged record cannot be re-indexed from itself
            health.add("episode-record", f"stored episode cannot be read ({exc.__class__.__name__}); "
                       f"re-ingest it with --force", episode_id)

    def committed(meta: dict) -> bool:
        return records.get(meta.get("episode_id"), {}).get("ingest_id") == meta.get("ingest_id")

    for name, collection, expected_key in (("passages", archive.passages, "passages"), ("mentions", archive.mentions, "mentions")):
        per_episode: Counter = Counter()
        orphans = Counter()
        dangling = Counter()
        for _, data in rows(collection, ["metadatas"]):
            meta = data["metadatas"]
            if not committed(meta):
                orphans[meta.get("episode_id", "?")] += 1
                continue
            per_episode[meta["episode_id"]] += 1
            known = sentences.get(meta["episode_id"])
            if known is not None and not set(json.loads(meta.get("sentence_ids", "[]"))) <= known:
                dangling[meta["episode_id"]] += 1
        health.counts[name] = sum(per_episode.values())
        for episode_id, n in orphans.items():
            health.add(f"orphan-{name}", f"{n} {name} rows from an unfinished or replaced ingest", episode_id, "delete-orphans")
        for episode_id, n in dangling.items():
            health.add(f"dangling-{name}", f"{n} {name} point at sentences the transcript does not have", episode_id, "reindex")
        for episode_id, record in records.items():
            want, have = int(record.get(expected_key, 0)), per_episode.get(episode_id, 0)
            if have != want:
                health.add(f"missing-{name}", f"{have} of {want} {name} are in the store", episode_id, "reindex")

    _check_keyword_rows(archive, records, health)
    problem = sqlite_problem(archive.path / "batches.sqlite3")
    if problem:
        health.add("batch-log", f"batch log is damaged ({problem}); it only feeds `status`", action="clean")

    _check_embeddings(archive, embedder, health)
    leftovers = leftover_files(archive.path)
    if leftovers:
        health.add("temp-files", f"{len(leftovers)} temporary files left by a killed process", action="clean")
    return health


def _check_keyword_rows(archive, records: dict, health: Health) -> None:
    keyword_counts = Counter()
    keyword_orphans = Counter()
    for episode_id, ingest_id in archive.keyword.all_rows():
        if records.get(episode_id, {}).get("ingest_id") == ingest_id:
            keyword_counts[episode_id] += 1
        else:
            keyword_orphans[episode_id] += 1
    for episode_id, n in keyword_orphans.items():
        health.add("orphan-keyword", f"{n} keyword rows from an unfinished or replaced ingest", episode_id, "delete-orphans")
    for episode_id, record in records.items():
        if keyword_counts.get(episode_id, 0) != int(record.get("passages", 0)):
            health.add("keyword-index", f"{keyword_counts.get(episode_id, 0)} of {record.get('passages')} passages "
                       "are in the keyword index", episode_id, "rebuild-keyword")


def _check_embeddings(archive, embedder, health: Health) -> None:
    probe = archive.info.get("embedding_probe")
    if probe is not None:
        fresh = np.asarray(schema.probe_vector(embedder), dtype=np.float32)
        stored = np.asarray(probe, dtype=np.float32)
        if stored.shape != fresh.shape or float(stored @ fresh) < 0.99:
            health.add("embeddings", "the configured embedder no longer gives the vectors this store was built with",
                       action="reindex-all")
            return
    agreement = sample_embedding_agreement(archive, embedder)
    if agreement is not None and agreement < 0.99:
        health.add("embeddings", f"stored passage vectors disagree with the embedder (lowest cosine {agreement:.2f})",
                   action="reindex-all")


def leftover_files(store: Path) -> list[Path]:
    store = Path(store)
    # half-written caches, and the decoded-audio spools of ingests killed while transcribing
    return [*(store / "transcripts").glob("*.tmp*"), *store.glob(".*.pcm16.part"), *store.glob("store.json.tmp*")]


def upgrade(archive, embedder) -> list[str]:
    """Bring an older store up to SCHEMA_VERSION; returns what was done (empty when nothing)."""
    info = dict(archive.info)
    done = []
    if info.get("schema_version", 0) < 2:
        agreement = sample_embedding_agreement(archive, embedder)
        if agreement is not None and agreement < 0.99:
            raise StoreError(
                f"{archive.path}: stored vectors do not match the embedder (cosine {agreement:.2f}); "
                "run `cxinsight doctor --repair` to re-embed"
            )
        info.update(schema_version=2, embedding_dimensions=embedder.dimensions, embedding_probe=schema.probe_vector(embedder))
        done.append("schema 1 -> 2: recorded the embedder's dimensions and probe vector")
    if done:
        archive.save_info(info)
    return done
