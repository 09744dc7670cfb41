"""Ingest orchestration: find inputs, read, split, extract, embed, commit — one episode at a time.

Models load once per batch. A bad file is reported and skipped; the batch goes on.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from cxinsight.errors import CxError, InputError
from cxinsight.models import Episode
from cxinsight.settings import Settings
from cxinsight.sources import discover, episode_id_for, read_metadata, read_transcript
from cxinsight.sentences import group_passages, split_sentences


@dataclass
class Outcome:
    path: str
    status: str  # "indexed", "skipped", "failed"
    episode_id: str = ""
    detail: str = ""
    seconds: float = 0.0


@dataclass
class IngestReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_episode(path: Path) -> Episode:
    """Everything about one input that needs no model: transcript, metadata, sentences."""
    transcript = read_transcript(path)
    meta = read_metadata(path, transcript)
    episode_id = episode_id_for(path)
    sentences = split_sentences(transcript, episode_id)
    if not sentences:
        raise InputError(path, "no sentences found in the transcript")
    return Episode(
        id=episode_id, meta=meta, source_path=str(path), content_hash=content_hash(path),
        transcript=transcript, sentences=sentences,
    )


class Ingestor:
    """Holds the models and the store for one batch."""

    def __init__(self, settings: Settings):
        from cxinsight.embeddings import get_embedder
        from cxinsight.extract.chain import build_extraction_chain
        from cxinsight.extract.taxonomy import load_taxonomy
        from cxinsight.store import Archive

        self.settings = settings
        self.taxonomy = load_taxonomy(settings.taxonomy)
        self.embedder = get_embedder()
        self.chain = build_extraction_chain(self.taxonomy, self.embedder)
        self.archive = Archive(settings.store, self.embedder.name, create=True)

    def ingest_file(self, path: Path, force: bool = False) -> Outcome:
        started = time.perf_counter()
        episode = read_episode(path)
        records = self.archive.records()
        current = records.get(episode.id)
        if current and current.get("content_hash") == episode.content_hash and not force:
            return Outcome(str(path), "skipped", episode.id, "already indexed, same content")
        twin = self.archive.find_by_hash(episode.content_hash)
        if twin and twin != episode.id and not force:
            return Outcome(str(path), "skipped", episode.id, f"same content as episode '{twin}'")

        mentions = self.chain.invoke({"episode_id": episode.id, "sentences": episode.sentences})
        passages = group_passages(episode.sentences, episode.id)
        by_sentence: dict[str, list[str]] = {}
        for mention in mentions:
            for sid in mention.sentence_ids:
                by_sentence.setdefault(sid, []).append(mention.tactic_id)
        for passage in passages:
            passage.tactics = sorted({t for sid in passage.sentence_ids for t in by_sentence.get(sid, [])})
        sentences = {s.id: s for s in episode.sentences}
        vectors = self.embedder.embed(
            [p.text for p in passages]
            + [" ".join(sentences[s].text for s in m.sentence_ids) for m in mentions]
            + [f"{episode.meta.title}. {episode.meta.guest} {episode.meta.organisation}"]
        )
        n_p, n_m = len(passages), len(mentions)
        self.archive.write_episode(
            episode, passages, vectors[:n_p], mentions, vectors[n_p : n_p + n_m], vectors[-1],
            extra={"taxonomy": Path(self.taxonomy.path).name, "extractor": "embedding"},
        )
        detail = f"{len(episode.sentences)} sentences, {n_p} passages, {n_m} tactic mentions"
        return Outcome(str(path), "indexed", episode.id, detail, time.perf_counter() - started)


def ingest(
    paths: list[Path],
    settings: Settings,
    force: bool = False,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[Outcome], None] = lambda outcome: None,
) -> IngestReport:
    report = IngestReport()
    files = discover(paths)
    on_start(len(files))
    if not files:
        return report
    ingestor = Ingestor(settings)
    try:
        for path in files:
            try:
                outcome = ingestor.ingest_file(path, force=force)
            except CxError as exc:
                outcome = Outcome(str(path), "failed", detail=str(exc))
            report.outcomes.append(outcome)
            on_done(outcome)
    finally:
        ingestor.archive.close()
    return report
