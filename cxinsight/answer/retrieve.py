"""Hybrid retrieval: BM25 keyword ranks and vector ranks, fused with reciprocal rank fusion."""

from __future__ import annotations

import concurrent.futures
import json

import numpy as np

from cxinsight.answer.extractive import is_host_line
from cxinsight.answer.names import may_name_someone, named_episodes, without_names
from cxinsight.models import SearchHit
from cxinsight.settings import Settings
from cxinsight.text.sentences import is_question
from cxinsight.util.links import record_link


def resolve_speakers(archive, name: str) -> list[str]:
    """Speakers whose name contains `name` (case-insensitive), across committed episodes."""
    wanted = name.casefold()
    speakers = {s for r in archive.records().values() for s in json.loads(r.get("speakers") or "[]")}
    return sorted(s for s in speakers if wanted in s.casefold())


def _where(episode_id: str | list[str] | None, speakers: list[str] | None, tactic: str | None) -> dict | None:
    clauses: list[dict] = []
    if isinstance(episode_id, list):
        clauses.append({"episode_id": {"$in": episode_id}})
    elif episode_id:
        clauses.append({"episode_id": episode_id})
    if speakers:
        clauses.append({"speaker": {"$in": speakers}})
    if tactic:
        clauses.append({f"t:{tactic}": True})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


# The keyword search runs beside the question's embedding and the vector query: SQLite, ONNX Runtime and
# Chroma all release the GIL, so on two cores the slower of the two sides sets the time, not their sum.
_KEYWORD_THREAD = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="cxinsight-keyword")


def hybrid_search(
    archive, embedder, query: str, settings: Settings, k: int | None = None,
    tactic: str | None = None, episode_id: str | None = None, speaker: str | None = None,
) -> list[SearchHit]:
    k = k or settings.top_k
    speakers = resolve_speakers(archive, speaker) if speaker else None
    if speaker and not speakers:
        return []
    pool = max(settings.candidates, k * 2)
    keyword_search = _KEYWORD_THREAD.submit(_keyword_side, archive.keyword, query, pool, episode_id, speakers, tactic,
                                            not episode_id and settings.episode_weight > 0)
    try:
        vector = embedder.embed([query])[0]
        vector_hits = archive.query_passages(vector, pool, _where(episode_id, speakers, tactic))
        named, naming = named_episodes(query, archive.records()) if not episode_id and may_name_someone(query) else ([], set())
        named_vector = embedder.embed([without_names(query, naming) or query])[0] if named else vector
        named_hits = archive.query_passages(named_vector, pool, _where(named, speakers, tactic)) if named else []
    finally:
        passage_ranks, episode_ranks = keyword_search.result()  # never left running
        keyword_hits = [(pid, ingest) for pid, ingest, _ in passage_ranks]

    fused: dict[str, float] = {}
    for ranked in ([h["id"] for h in vector_hits], [pid for pid, _ in keyword_hits], [h["id"] for h in named_hits]):
        for rank, pid in enumerate(ranked):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (settings.rrf_k + rank + 1)
    # Each passage of an episode whose whole text matches the question well gets that episode's rank too: the
    # question's words may meet only across passages ("the pharmacy chain" in one, its hiring in another).
    committed = archive.records_for({e for e, _ in episode_ranks})
    ranked = [e for e, ingest in episode_ranks if committed.get(e, {}).get("ingest_id") == ingest]
    episode_rank = {e: rank for rank, e in enumerate(ranked)}
    for pid in fused:
        if (rank := episode_rank.get(_episode_of(pid))) is not None:
            fused[pid] += settings.episode_weight / (settings.rrf_k + rank + 1)
    # Every candidate, not just the first k: statements move up past questions and a host's lines before the
    # cut. With only a few more than k, a short query that names a show ("Skylark surveys") found the host's
    # introduction filling the window, and search listed nothing but the host.
    top = sorted(fused, key=fused.get, reverse=True)

    # A named episode's passages are measured against the question without the name (answer/names.py).
    found = {h["id"]: h for h in vector_hits if h["meta"]["episode_id"] not in named} | {h["id"]: h for h in named_hits}
    missing = [pid for pid in top if pid not in found]
    for row in archive.get_passages(missing):  # keyword-only hits (and named ones): similarity from stored vectors
        embedding = row.pop("embedding")
        row["similarity"] = float(np.dot(embedding, named_vector if row["meta"]["episode_id"] in named else vector))
        found[row["id"]] = row
    records = archive.records_for({found[pid]["meta"]["episode_id"] for pid in top if pid in found})
    hits = []
    for pid in top:
        row = found.get(pid)
        if row is None:
            continue  # a row of an uncommitted ingest
        meta = row["meta"]
        record = records.get(meta["episode_id"], {})
        hits.append(
            SearchHit(
                episode_id=meta["episode_id"], title=record.get("title", ""), speaker=meta.get("speaker", ""),
                start=float(meta["start"]), end=float(meta["end"]), text=row["text"], score=round(fused[pid], 6),
                tactics=[t for t in meta.get("tactics", "").split(",") if t], passage_id=meta["passage_id"],
                similarity=round(row["similarity"], 4), url=record_link(record, row["meta"]["start"]),
                times_estimated=bool(record.get("times_estimated") or meta.get("estimated")),
            )
        )
    return evidence_first(hits, records, set(named), settings.min_relevance)[:k]


def _keyword_side(keyword, query: str, pool: int, episode_id, speakers, tactic, rank_episodes: bool):
    """The passages' BM25 ranking, and the episodes' when asked; one after the other on the index's connection,
    with the query's words chosen once."""
    expression = keyword.match_expression(query)
    passages = keyword.search(query, pool, episode_id, speakers, tactic, expression=expression)
    return passages, (keyword.rank_episodes(query, pool, expression=expression) if rank_episodes else [])


def _episode_of(passage_id: str) -> str:
    """'{episode_id}:p00012@{ingest_id}' -> episode_id."""
    return passage_id.rsplit("@", 1)[0].rsplit(":p", 1)[0]


def evidence_first(hits: list[SearchHit], records: dict, named: set[str], min_relevance: float) -> list[SearchHit]:
    """Statements before questions and before a known host's lines: what was asked is context, not evidence.
    Then the relevant passages of the episodes the question names: "How does Pocketsure follow up…" is
    answered by Pocketsure. Otherwise the fused order stands (the sort is stable)."""
    def order(hit: SearchHit) -> tuple[bool, bool]:
        named_and_relevant = hit.episode_id in named and hit.similarity >= min_relevance
        return is_question(hit.text) or is_host_line(hit, records), not named_and_relevant

    return sorted(hits, key=order)
