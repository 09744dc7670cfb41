"""`cxinsight doctor`: check a store's integrity and, with --repair, mend it from what it holds.

Repairs never re-transcribe: every episode record keeps its whole transcript (sentences and
the mentions found in them), so passages, vectors and index rows are rebuilt from that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from cxinsight.settings import Settings


@dataclass
class DoctorReport:
    store: str
    findings: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    repaired: list[str] = field(default_factory=list)
    remaining: list = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.remaining

    def as_dict(self) -> dict:
        return {
            "store": self.store, "healthy": self.healthy, "counts": self.counts,
            "findings": [f.__dict__ for f in self.findings], "repaired": self.repaired,
            "remaining": [f.__dict__ for f in self.remaining],
        }


def _open(settings: Settings, repair: bool, report: DoctorReport):
    """Open the archive; a damaged keyword index is moved aside first when repairing (it is derived data)."""
    from cxinsight.embed import MODEL_NAME
    from cxinsight.store.archive import Archive
    from cxinsight.store.integrity import Finding, sqlite_problem

    keyword = Path(settings.store) / "keyword.sqlite3"
    problem = sqlite_problem(keyword)
    if problem:
        finding = Finding("keyword-index", f"keyword index is damaged ({problem})", action="rebuild-keyword")
        report.findings.append(finding)
        if not repair:
            report.remaining.append(finding)
            return None
        aside = keyword.with_name(f"keyword.damaged-{int(time.time())}.sqlite3")
        keyword.replace(aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{keyword}{suffix}").unlink(missing_ok=True)
        report.repaired.append(f"moved the damaged keyword index to {aside.name}; rebuilt below")
    return Archive(settings.store, MODEL_NAME, chroma_url=settings.chroma_url, access="write" if repair else "read")


def diagnose(settings: Settings, repair: bool = False, confirm=None) -> DoctorReport:
    """`confirm` (a server lease's) raises when another writer has taken the store over; it is called before
    the first repair and before each episode's, so a repair that lost its lease writes nothing more."""
    from cxinsight.embed import get_embedder
    from cxinsight.store.integrity import check

    report = DoctorReport(settings.chroma_url or str(settings.store))
    archive = _open(settings, repair, report)
    if archive is None:
        return report
    try:
        embedder = get_embedder()
        health = check(archive, embedder)
        report.findings += health.findings
        report.counts = health.counts
        if not repair:
            report.remaining += health.findings
            return report
        report.repaired += _repair(archive, embedder, health, settings, confirm or (lambda: None))
        after = check(archive, embedder)
        report.counts = after.counts
        report.remaining = after.findings
    finally:
        archive.close()
    return report


def _repair(archive, embedder, health, settings: Settings, confirm) -> list[str]:
    from cxinsight.store.integrity import leftover_files, upgrade
    from cxinsight.store.schema import probe_vector

    confirm()
    done: list[str] = [f"{e}: deleted rows of a write that was cut short" for e in archive.recover()]
    records = archive.records()
    actions = {f.action for f in health.findings}
    reindex = set(health.episodes_to_reindex())
    if "reindex-all" in actions:
        reindex = set(records)
    for episode_id in sorted(reindex):
        if episode_id in records:
            confirm()
            _reindex(archive, embedder, episode_id)
            done.append(f"{episode_id}: re-indexed from its stored transcript")
    orphaned = {f.episode_id for f in health.findings if f.action == "delete-orphans"} - reindex
    for episode_id in sorted(orphaned):
        confirm()
        archive.delete_uncommitted(episode_id)
        done.append(f"{episode_id}: deleted rows of an unfinished or replaced ingest")
    keyword = {f.episode_id for f in health.findings if f.action == "rebuild-keyword"} - reindex
    if "" in keyword:  # the whole index was rebuilt empty
        keyword = set(records) - reindex
    for episode_id in sorted(keyword - {""}):
        n = archive.reindex_keyword(episode_id)
        done.append(f"{episode_id}: rebuilt {n} keyword index rows")
    if "upgrade" in actions:
        done += upgrade(archive, embedder)
    if "reindex-all" in actions and "embedding_probe" in archive.info:
        archive.save_info({**archive.info, "embedding_probe": probe_vector(embedder), "embedding_dimensions": embedder.dimensions})
        done.append("recorded the embedder's new probe vector")
    if "clean" in actions:
        for path in leftover_files(archive.path):
            path.unlink(missing_ok=True)
        log = archive.path / "batches.sqlite3"
        if any(f.check == "batch-log" for f in health.findings) and log.exists():
            log.replace(log.with_name(f"batches.damaged-{int(time.time())}.sqlite3"))
            done.append("moved the damaged batch log aside (a new one starts with the next ingest)")
        done.append("removed temporary files left by killed processes")
    return done


def _reindex(archive, embedder, episode_id: str) -> None:
    from cxinsight.store.rewrite import rewrite_episode

    episode, mentions = archive.load_episode(episode_id)
    known = {s.id for s in episode.sentences}
    rewrite_episode(archive, embedder, episode, [m for m in mentions if m.sentence_ids and set(m.sentence_ids) <= known])
