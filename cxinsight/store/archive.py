"""The archive: a persistent Chroma store of passages, tactic mentions and episode records.

Visibility protocol (nothing half-written is ever seen):
  1. every row an ingest writes carries that ingest's id;
  2. the episode record (one upsert) names the committed ingest id: that is the commit;
  3. readers keep only rows whose ingest id is the committed one for their episode;
  4. after the commit, rows of older or crashed ingests of that episode are deleted.
An embedded store also keeps each commit apart from the processes reading it (store/access.py): a
reader holds a shared lock from opening Chroma to closing it, a commit an exclusive one.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Callable

import numpy as np

from cxinsight.errors import CxError, StoreError, UsageError
from cxinsight.models import Episode, Passage, TacticMention
from cxinsight.store import schema
from cxinsight.store.access import ArchiveLocks
from cxinsight.store.diskspace import disk_full
from cxinsight.store.keyword import KeywordIndex
from cxinsight.util import failpoints, offline

SCHEMA_VERSION = schema.SCHEMA_VERSION
_BATCH = 1000


def _tactic_flag(tactic_id: str) -> str:
    return f"t:{tactic_id}"


def _writes(method):
    """A write holds the embedded store's readers off for its whole length (a commit, a repair)."""

    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self.locks.exclusive():
            return method(self, *args, **kwargs)

    return locked


class Archive:
    def __init__(self, path: Path, embedding_model: str, create: bool = False, chroma_url: str | None = None,
                 access: str = "read"):
        """`access` says how this process shares an embedded store with others (store/access.py):
        "read"     shared from opening to close(): read commands;
        "commits"  exclusive only while opening and inside each write: ingest, so readers go on between commits;
        "write"    exclusive from opening to close(): doctor --repair and renames (short, under the writer lock).
        """
        from cxinsight.store.backend import backend_for

        self.path = Path(path)  # with a server: the local cache (keyword index, transcripts, batch log)
        self.embedding_model = embedding_model
        self.backend = backend_for(self.path, chroma_url)
        self.locks = ArchiveLocks(self.backend, access)
        self._warming: threading.Thread | None = None
        offline.apply()
        try:
            info = self.backend.read_info()
            if info is None:
                if not create:
                    raise UsageError(f"{self.backend.label}: no cxinsight store here yet; run `cxinsight ingest PATH` first")
                try:
                    self.path.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"{self.path}: cannot create the store ({exc.strerror})") from None
                info = schema.new_info(embedding_model)
                self.backend.write_info(info)
            self.info = info
            if info.get("embedding_model") != embedding_model:
                raise StoreError(f"{self.backend.label}: store was built with embeddings '{info.get('embedding_model')}', "
                                 f"not '{embedding_model}'")
            self.locks.opening()  # Chroma writes while it opens
            self._client = self.backend.client()
            meta = {"embedding_model": embedding_model}
            config = {"hnsw": {"space": "cosine"}}
            # Embeddings are always passed in, so no embedding function is ever needed (or downloaded).
            self.passages = self._client.get_or_create_collection("passages", embedding_function=None, configuration=config, metadata=meta)
            self.mentions = self._client.get_or_create_collection("mentions", embedding_function=None, configuration=config, metadata=meta)
            self.episodes = self._client.get_or_create_collection("episodes", embedding_function=None, configuration=config, metadata=meta)
            self._warming = self.locks.load(self.passages, self.mentions, self.episodes, self._probe_passages)
        except CxError:
            self.locks.release()
            raise
        except Exception as exc:  # Chroma's own errors: say what is wrong with the store, in one line
            self.locks.release()
            if "readonly" in str(exc).lower() or "read-only" in str(exc).lower():
                raise StoreError(f"{self.path}: the store is read-only; Chroma needs write access even to read it") from None
            full = disk_full(self.path, exc, judge_by_free_space=not self.backend.shared)
            if full:
                raise StoreError(f"{self.backend.label}: {full}; Chroma cannot open the store "
                                 f"({exc.__class__.__name__}: {exc}); free some space and re-run") from None
            raise StoreError(f"{self.backend.label}: cannot open the Chroma store ({exc.__class__.__name__}: {exc}); "
                             "run `cxinsight doctor`") from None
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            self.keyword = KeywordIndex(self.path / "keyword.sqlite3")
        except sqlite3.DatabaseError as exc:
            self.close()
            full = disk_full(self.path, exc)  # SQLite says "disk I/O error" when it cannot even start its WAL
            if full:
                raise StoreError(f"{self.path}: {full}; the keyword index cannot be opened ({exc}); "
                                 "free some space and re-run") from None
            raise StoreError(f"{self.path / 'keyword.sqlite3'}: keyword index is damaged ({exc}); "
                             "run `cxinsight doctor --repair`") from None
        self.locks.opened()
        self._records: dict[str, dict] = {}
        self._absent: set[str] = set()  # looked up, not committed
        self._all_records = False
        if self.backend.shared:
            self.sync_keyword()

    @_writes
    def save_info(self, info: dict) -> None:
        self.backend.write_info(info)
        self.info = info

    def sync_keyword(self) -> int:
        """Bring the local keyword index in line with the committed episodes (a shared server is written by others)."""
        records = self.records()
        local = self.keyword.ingests()
        stale = [e for e, r in records.items() if local.get(e) != r.get("ingest_id")]
        for episode_id in stale:
            self.reindex_keyword(episode_id)
        for episode_id in set(local) - set(records):
            self.keyword.delete_episode(episode_id)
        return len(stale)

    # ---------------------------------------------------------------- reads
    def warm_vectors(self) -> None:
        """Start loading the passage vector index on another thread. Chroma loads it on a collection's
        first use (about 1 s at 150k passages) and releases the GIL meanwhile, so a cold `ask` overlaps it
        with loading the embedder instead of waiting for one after the other."""
        if self._warming is None:  # an embedded store's reader has already started it (ArchiveLocks.load)

            def load() -> None:
                try:
                    self._probe_passages()
                except Exception:  # noqa: BLE001 - the real query reports any problem with the store
                    pass

            self._warming = threading.Thread(target=load, name="cxinsight-warm-vectors", daemon=True)
            self._warming.start()

    def _probe_passages(self) -> None:
        probe = [[1.0] + [0.0] * (self.info.get("embedding_dimensions", 384) - 1)]
        self.passages.query(query_embeddings=probe, n_results=1, include=[])

    def records(self) -> dict[str, dict]:
        """All committed episode records by id (metadata only), cached for this process."""
        if not self._all_records:
            got = self.episodes.get(include=["metadatas"])
            self._records = {i: m for i, m in zip(got["ids"], got["metadatas"])}
            self._absent.clear()
            self._all_records = True
        return self._records

    def records_for(self, episode_ids) -> dict[str, dict]:
        """The committed records of just these episodes: a read touches only the episodes its hits come from,
        so its cost does not grow with the archive."""
        wanted = set(episode_ids)
        missing = [] if self._all_records else sorted(wanted - self._records.keys() - self._absent)
        if missing:
            got = self.episodes.get(ids=missing, include=["metadatas"])
            self._records.update(zip(got["ids"], got["metadatas"]))
            self._absent.update(set(missing) - set(got["ids"]))
        return {i: self._records[i] for i in wanted if i in self._records}

    def record(self, episode_id: str) -> dict | None:
        return self.records_for([episode_id]).get(episode_id)

    def is_committed(self, episode_id: str, ingest_id: str) -> bool:
        record = self.record(episode_id)
        return bool(record) and record.get("ingest_id") == ingest_id

    def _committed(self, rows: list[dict]) -> list[dict]:
        """Keep rows whose ingest is the committed one for their episode (one record lookup for all)."""
        records = self.records_for({r["meta"]["episode_id"] for r in rows})
        return [r for r in rows if records.get(r["meta"]["episode_id"], {}).get("ingest_id") == r["meta"]["ingest_id"]]

    def find_by_hash(self, content_hash: str) -> str | None:
        return next((i for i, m in self.records().items() if m.get("content_hash") == content_hash), None)

    def load_episode(self, episode_id: str) -> tuple[Episode, list[TacticMention]]:
        got = self.episodes.get(ids=[episode_id], include=["documents"])
        if not got["ids"]:
            raise KeyError(episode_id)
        data = json.loads(got["documents"][0])
        return Episode(**data["episode"]), [TacticMention(**m) for m in data["mentions"]]

    def query_passages(self, vector: np.ndarray, limit: int, where: dict | None) -> list[dict]:
        # No count() first: Chroma returns fewer rows when the store holds fewer, and count costs a scan.
        got = self.passages.query(
            query_embeddings=[vector.tolist()], n_results=limit, where=where, include=["documents", "metadatas", "distances"]
        )
        rows = [
            {"id": pid, "text": doc, "meta": meta, "similarity": 1.0 - float(dist)}
            for pid, doc, meta, dist in zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])
        ]
        return self._committed(rows)

    def get_passages(self, ids: list[str]) -> list[dict]:
        if not ids:
            return []
        got = self.passages.get(ids=ids, include=["documents", "metadatas", "embeddings"])
        return self._committed([
            {"id": pid, "text": doc, "meta": meta, "embedding": np.asarray(emb, dtype=np.float32)}
            for pid, doc, meta, emb in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"])
        ])

    def all_mentions(self, episode_id: str | None = None, tactic_id: str | None = None) -> list[dict]:
        clauses = [{"episode_id": episode_id}] if episode_id else []
        if tactic_id:
            clauses.append({"tactic": tactic_id})
        where = clauses[0] if len(clauses) == 1 else ({"$and": clauses} if clauses else None)
        got = self.mentions.get(where=where, include=["documents", "metadatas"])
        rows = self._committed([{"id": mid, "text": doc, "meta": meta} for mid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])])
        return [{"id": r["id"], "quote": r["text"], **r["meta"]} for r in rows]

    # --------------------------------------------------------------- writes
    @_writes
    def write_episode(
        self,
        episode: Episode,
        passages: list[Passage],
        passage_vectors: np.ndarray,
        mentions: list[TacticMention],
        mention_vectors: np.ndarray,
        title_vector: np.ndarray,
        extra: dict | None = None,
        confirm: Callable[[], None] = lambda: None,
    ) -> str:
        """Write everything for one episode, then commit it with one record upsert.

        `confirm` raises when this process may no longer write (a lost server lease): it is called before
        the first write, since the leftovers clean-up could delete another writer's fresh rows, and right
        before the commit; a refused commit deletes this write's own rows, which nobody else can own.
        """
        confirm()
        ingest_id = uuid.uuid4().hex[:12]
        previous = (self.record(episode.id) or {}).get("ingest_id")
        self._delete_rows(episode.id, keep=previous)  # leftovers of a crashed ingest
        self.backend.journal_add(ingest_id, episode.id)  # names the episode until its old rows are gone: see recover()
        failpoints.reach("journal")
        sentences = {s.id: s for s in episode.sentences}

        for lo in range(0, len(passages), _BATCH):
            chunk = passages[lo : lo + _BATCH]
            metas = []
            for p in chunk:
                meta = {
                    "episode_id": episode.id, "ingest_id": ingest_id, "passage_id": p.id, "speaker": p.speaker,
                    "start": p.start, "end": p.end, "sentence_ids": json.dumps(p.sentence_ids), "estimated": p.times_estimated,
                    "tactics": "," + ",".join(p.tactics) + ",",
                }
                meta.update({_tactic_flag(t): True for t in p.tactics})
                metas.append(meta)
            self.passages.add(
                ids=[f"{p.id}@{ingest_id}" for p in chunk], documents=[p.text for p in chunk],
                embeddings=passage_vectors[lo : lo + _BATCH].tolist(), metadatas=metas,
            )
        self.keyword.add([
            {"passage_id": f"{p.id}@{ingest_id}", "episode_id": episode.id, "ingest_id": ingest_id, "speaker": p.speaker,
             "tactics": "," + ",".join(p.tactics) + ",", "text": p.text}
            for p in passages
        ])
        failpoints.reach("index")
        if mentions:
            self.mentions.add(
                ids=[f"{episode.id}:m{i:04d}@{ingest_id}" for i in range(len(mentions))],
                documents=[" ".join(sentences[s].text for s in m.sentence_ids) for m in mentions],
                embeddings=mention_vectors.tolist(),
                metadatas=[
                    {
                        "episode_id": episode.id, "ingest_id": ingest_id, "tactic": m.tactic_id,
                        "sentence_ids": json.dumps(m.sentence_ids), "speaker": sentences[m.sentence_ids[0]].speaker,
                        "start": sentences[m.sentence_ids[0]].start, "end": sentences[m.sentence_ids[-1]].end,
                        "score": m.score, "extractor": m.extractor, "summary": m.summary,
                    }
                    for m in mentions
                ],
            )
        record = {
            "episode_id": episode.id, "ingest_id": ingest_id, "content_hash": episode.content_hash,
            "title": episode.meta.title, "show": episode.meta.show, "guest": episode.meta.guest, "host": episode.meta.host,
            "organisation": episode.meta.organisation, "date": episode.meta.date, "url": episode.meta.url,
            "link_template": episode.meta.link_template,
            "source_path": episode.source_path, "sentences": len(episode.sentences), "passages": len(passages),
            "mentions": len(mentions), "duration": episode.transcript.duration,
            "times_estimated": episode.times_estimated, "speakers": json.dumps(sorted({s.speaker for s in episode.sentences if s.speaker})),
            "tactics": json.dumps(sorted({m.tactic_id for m in mentions})), "indexed_at": time.time(), **(extra or {}),
        }
        document = json.dumps({"episode": episode.model_dump(), "mentions": [m.model_dump() for m in mentions]})
        failpoints.reach("mentions")
        try:
            confirm()
        except CxError:
            self._delete_ingest(episode.id, ingest_id)
            self.backend.journal_remove(ingest_id)
            raise
        self.episodes.upsert(ids=[episode.id], documents=[document], embeddings=[title_vector.tolist()], metadatas=[record])
        self._records[episode.id] = record
        self._absent.discard(episode.id)
        failpoints.reach("commit")
        self._delete_rows(episode.id, keep=ingest_id)
        self.backend.journal_remove(ingest_id)
        return ingest_id

    @_writes
    def recover(self) -> list[str]:
        """Delete rows left by writes that were killed (their journal entries remain); returns the episode ids."""
        mended = []
        for ingest_id, episode_id in self.backend.journal_entries():
            if episode_id:
                self.delete_uncommitted(episode_id)
                failpoints.reach("recover")
                mended.append(episode_id)
            self.backend.journal_remove(ingest_id)
        return mended

    def _delete_rows(self, episode_id: str, keep: str | None) -> None:
        where = {"episode_id": episode_id} if keep is None else {"$and": [{"episode_id": episode_id}, {"ingest_id": {"$ne": keep}}]}
        self.passages.delete(where=where)
        failpoints.reach("cleanup")  # passages gone, mentions and keyword rows not yet
        self.mentions.delete(where=where)
        self.keyword.delete_other_ingests(episode_id, keep)

    def _delete_ingest(self, episode_id: str, ingest_id: str) -> None:
        """The rows of one write only (its ingest id is unique to it), whoever else is writing now."""
        where = {"$and": [{"episode_id": episode_id}, {"ingest_id": ingest_id}]}
        self.passages.delete(where=where)
        self.mentions.delete(where=where)
        self.keyword.delete_ingest(ingest_id)

    @_writes
    def delete_uncommitted(self, episode_id: str) -> None:
        """Rows of an episode that no committed record claims (a crashed or replaced ingest)."""
        self._delete_rows(episode_id, keep=(self.record(episode_id) or {}).get("ingest_id"))

    @_writes
    def reindex_keyword(self, episode_id: str) -> int:
        """Rebuild one episode's keyword rows from its committed passages in Chroma."""
        self.keyword.delete_episode(episode_id)
        got = self.passages.get(where={"episode_id": episode_id}, include=["documents", "metadatas"])
        rows = [
            {"passage_id": pid, "episode_id": episode_id, "ingest_id": meta["ingest_id"], "speaker": meta["speaker"],
             "tactics": meta["tactics"], "text": doc}
            for pid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])
            if self.is_committed(episode_id, meta["ingest_id"])
        ]
        self.keyword.add(rows)
        return len(rows)

    @_writes
    def remove_episode(self, episode_id: str) -> None:
        self.episodes.delete(ids=[episode_id])
        self._records.pop(episode_id, None)
        self._absent.add(episode_id)
        self._delete_rows(episode_id, keep=None)

    def close(self) -> None:
        """Release the keyword index, Chroma's shared system (so a later open sees other processes' writes)
        and then the store's lock."""
        if self._warming is not None:
            self._warming.join()  # never close the client under a running query
        if getattr(self, "keyword", None) is not None:
            self.keyword.close()
        self._client.close()
        self.locks.release()
