"""Ingest orchestration: locate (download), hash, skip, then transcribe, split, extract, embed, commit.

Models load once per batch (once per worker with --workers). A bad item is
reported and skipped; the batch goes on. Every item's fate goes to the batch log.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from cxinsight import failpoints
from cxinsight.errors import CxError, InputError, StoreError, StoreFailed
from cxinsight.models import Episode, Passage, TacticMention, Transcript
from cxinsight.settings import Settings
from cxinsight.sentences import group_passages, split_sentences
from cxinsight.sources import episode_id_for, is_audio, read_metadata, read_transcript
from cxinsight.sources.items import BatchItem, items_from_paths


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


def read_episode(path: Path, transcript: Transcript | None = None, digest: str | None = None,
                 episode_id: str | None = None, overrides: dict | None = None) -> Episode:
    """Everything about one input that needs no model: transcript, metadata, sentences.

    Audio is transcribed by the caller and passed in as `transcript`.
    """
    transcript = transcript or read_transcript(path)
    meta = read_metadata(path, transcript, overrides)
    episode_id = episode_id or episode_id_for(path)
    sentences = split_sentences(transcript, episode_id)
    if not sentences:
        raise InputError(path, "no sentences found in the transcript")
    return Episode(
        id=episode_id, meta=meta, source_path=str(path), content_hash=digest or content_hash(path),
        transcript=transcript, sentences=sentences,
    )


def assemble(episode: Episode, mentions: list[TacticMention], embedder) -> tuple[list[Passage], np.ndarray]:
    """Passages tagged with their tactics, and the vectors to store: passages, then mentions, then the title line."""
    passages = group_passages(episode.sentences, episode.id)
    by_sentence: dict[str, list[str]] = {}
    for mention in mentions:
        for sid in mention.sentence_ids:
            by_sentence.setdefault(sid, []).append(mention.tactic_id)
    for passage in passages:
        passage.tactics = sorted({t for sid in passage.sentence_ids for t in by_sentence.get(sid, [])})
    sentences = {s.id: s for s in episode.sentences}
    vectors = embedder.embed(
        [p.text for p in passages]
        + [" ".join(sentences[s].text for s in m.sentence_ids) for m in mentions]
        + [f"{episode.meta.title}. {episode.meta.guest} {episode.meta.organisation}"]
    )
    return passages, vectors


def engine_options(settings: Settings, threads: int = 0):
    from cxinsight.transcribe.engine import EngineOptions

    return EngineOptions(
        engine=settings.engine, model=settings.whisper_model, compute_type=settings.compute_type,
        beam_size=settings.beam_size, batch_size=settings.batch_size, language=settings.language, threads=threads,
    )


@dataclass
class Prepared:
    """One episode ready to commit: everything computed, nothing written."""

    episode: Episode
    passages: list[Passage]
    mentions: list[TacticMention]
    vectors: np.ndarray  # passages, then mentions, then the title line
    extra: dict
    seconds: float = 0.0
    note: str = ""

    @property
    def detail(self) -> str:
        proposed = sum(1 for m in self.mentions if m.tactic_id.startswith("proposed:"))
        extra = f", {proposed} proposed new tactics" if proposed else ""
        return (f"{len(self.episode.sentences)} sentences, {len(self.passages)} passages, "
                f"{len(self.mentions)} tactic mentions{extra}{self.note}")


class Processor:
    """The models for a batch (taxonomy, embedder, extraction chain, Whisper), no store: runs in workers too."""

    def __init__(self, settings: Settings, transcriber=None, threads: int = 0,
                 on_audio: Callable[[Path, float, float], None] | None = None):
        from cxinsight.embeddings import get_embedder
        from cxinsight.extract.chain import build_extraction_chain
        from cxinsight.extract.taxonomy import load_taxonomy

        self.settings = settings
        self.threads = threads
        self.on_audio = on_audio
        self.taxonomy = load_taxonomy(settings.taxonomy)
        self.embedder = get_embedder()
        self.extractor, llm_step, self.llm_fallbacks = "embedding", None, []
        from cxinsight.llm.calls import client_for

        client = client_for(settings)
        if client is not None:
            from cxinsight.extract.llm_step import build_llm_step

            llm_step, self.llm_fallbacks = build_llm_step(client, self.taxonomy)
            self.extractor = f"embedding+llm:{settings.llm}"
        self.chain = build_extraction_chain(self.taxonomy, self.embedder, llm_step)
        self._transcriber = transcriber  # loaded on the first audio file, then kept for the batch

    def transcriber(self):
        if self._transcriber is None:
            from cxinsight.transcribe.transcriber import Transcriber

            self._transcriber = Transcriber(engine_options(self.settings, self.threads))
        return self._transcriber

    def audio_transcript(self, path: Path, digest: str) -> Transcript:
        """Transcribe, or reuse the transcript of the same audio made earlier with the same engine and model."""
        transcriber = self.transcriber()
        cache = Path(self.settings.store) / "transcripts" / f"{digest[:24]}.{transcriber.label.replace(':', '.')}.json"
        if cache.exists():
            return Transcript.model_validate_json(cache.read_text(encoding="utf-8"))
        report = self.on_audio or (lambda *_: None)
        def progress(done: float, total: float) -> None:
            failpoints.reach("transcribe")
            report(path, done, total)

        result = transcriber.transcribe(path, on_progress=progress)
        if result.silent:
            raise InputError(path, f"no speech found in {result.audio_seconds:.0f} s of audio (silence only?)")
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.tmp{os.getpid()}")
        tmp.write_text(result.transcript.model_dump_json(), encoding="utf-8")
        tmp.replace(cache)
        return result.transcript

    def prepare(self, path: Path, digest: str, episode_id: str, overrides: dict) -> Prepared:
        with self.embedder.memo():  # one episode's texts are embedded once, however many roles they play
            return self._prepare(path, digest, episode_id, overrides)

    def _prepare(self, path: Path, digest: str, episode_id: str, overrides: dict) -> Prepared:
        started = time.perf_counter()
        transcript = self.audio_transcript(path, digest) if is_audio(path) else None
        episode = read_episode(path, transcript, digest, episode_id, overrides)
        failures_before = len(self.llm_fallbacks)
        mentions = self.chain.invoke({"episode_id": episode.id, "sentences": episode.sentences})
        failpoints.reach("extract")
        fallback = self.llm_fallbacks[-1].split(": ", 1)[1] if len(self.llm_fallbacks) > failures_before else ""
        passages, vectors = assemble(episode, mentions, self.embedder)
        extra = {"taxonomy": Path(self.taxonomy.path).name, "extractor": "embedding" if fallback else self.extractor,
                 "transcriber": episode.transcript.source_format, "llm_fallback": fallback}
        note = f" (LLM step failed: {fallback}; kept the embedding classifier's mentions)" if fallback else ""
        return Prepared(episode, passages, mentions, vectors, extra, time.perf_counter() - started, note)


class Ingestor:
    """The store side of a batch: decides what to skip, downloads, commits prepared episodes."""

    def __init__(self, settings: Settings):
        from cxinsight.embeddings import MODEL_NAME
        from cxinsight.store import Archive

        self.settings = settings
        self.archive = Archive(settings.store, MODEL_NAME, create=True, chroma_url=settings.chroma_url)
        from cxinsight.embeddings import get_embedder
        from cxinsight.store.schema import upgrade

        self.upgraded = upgrade(self.archive, get_embedder())  # under the writer lock: an older store is brought up to date
        self.recovered = self.archive.recover()  # rows of writes a crash cut short
        self.media_dir = Path(settings.store) / "media"

    def locate(self, item: BatchItem) -> Path:
        """The local file for an item, downloading it first when it comes from a URL."""
        if item.error:
            raise CxError(item.error)
        if item.url:
            from cxinsight.download import fetch

            target = item.path or self.media_dir / f"{item.episode_id}{Path(item.url.split('?')[0]).suffix.lower()}"
            return fetch(item.url, target, max_bytes=self.settings.max_download_mb * 1024 * 1024,
                         max_seconds=self.settings.max_download_minutes * 60)
        path = Path(item.path)
        if not path.is_file():
            raise InputError(path, "no such file or directory" if not path.exists() else "not a file")
        return path

    def skip_reason(self, episode_id: str, digest: str, force: bool) -> str:
        """Why this content need not be indexed again ("" when it must be)."""
        if force:
            return ""
        current = self.archive.record(episode_id)
        if current and current.get("content_hash") == digest:
            return "already indexed, same content"
        twin = self.archive.find_by_hash(digest)
        if twin and twin != episode_id:
            return f"same content as episode '{twin}'"
        return ""

    def commit(self, prepared: Prepared) -> None:
        """Write one episode. A store that fails here fails for the rest of the batch too: StoreError stops it."""
        n_p, n_m = len(prepared.passages), len(prepared.mentions)
        vectors = prepared.vectors
        try:
            self.archive.write_episode(
                prepared.episode, prepared.passages, vectors[:n_p], prepared.mentions, vectors[n_p : n_p + n_m],
                vectors[-1], extra=prepared.extra,
            )
        except CxError:
            raise
        except Exception as exc:
            raise StoreFailed(
                f"{self.archive.backend.label}: the store failed while indexing '{prepared.episode.id}' "
                f"({exc.__class__.__name__}: {exc}); finished episodes are saved, re-run to resume"
            ) from None


def ingest(
    items: list[BatchItem],
    settings: Settings,
    force: bool = False,
    workers: int = 1,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[Outcome], None] = lambda outcome: None,
    on_audio: Callable[[Path, float, float], None] | None = None,
    sources: str = "",
) -> IngestReport:
    """Ingest a batch. Downloads, hashing, skips and commits happen here; the models run here or in workers."""
    from cxinsight.llm.providers import parse_spec
    from cxinsight.store.batchlog import BatchLog

    parse_spec(settings.llm)  # a bad --llm stops before anything is touched (exit 2)
    if items and not isinstance(items[0], BatchItem):
        items = items_from_paths([Path(p) for p in items])
    report = IngestReport()
    on_start(len(items))
    if not items:
        return report
    transcriber = None
    has_audio = any(is_audio(i.path or Path(i.url)) for i in items)
    if workers <= 1 and has_audio and settings.executor == "local":
        from cxinsight.transcribe.transcriber import Transcriber

        transcriber = Transcriber(engine_options(settings))
        transcriber.engine  # load once, before the store is touched: a bad --model stops here (exit 2)
    elif has_audio:
        from cxinsight.transcribe.weights import resolve_weights

        resolve_weights(settings.whisper_model)  # a bad --model stops here too
    ingestor = Ingestor(settings)
    log = BatchLog(settings.store)
    batch = log.start(items, sources)

    def finish(seq: int, outcome: Outcome) -> None:
        log.update(batch, seq, outcome.status, outcome.detail, outcome.episode_id or None)
        report.outcomes.append(outcome)
        on_done(outcome)

    def todo():
        """Items that need work, as (seq, item, path, digest); the others are finished on the way."""
        queued: dict[str, str] = {}  # digest -> episode id, so a duplicate in one batch is indexed once
        for seq, item in enumerate(items):
            try:
                path = ingestor.locate(item)
                digest = content_hash(path)
                reason = ingestor.skip_reason(item.episode_id, digest, force)
                if not reason and queued.get(digest, item.episode_id) != item.episode_id:
                    reason = f"same content as episode '{queued[digest]}'"
                queued.setdefault(digest, item.episode_id)
            except CxError as exc:
                finish(seq, Outcome(item.source, "failed", item.episode_id, str(exc)))
                continue
            if reason:
                finish(seq, Outcome(item.source, "skipped", item.episode_id, reason))
                continue
            yield seq, item, path, digest

    try:
        if settings.executor == "ray":
            from cxinsight.ray_executor import run_ray

            run_ray(todo(), settings, workers, ingestor, finish, settings.ray_address)
        elif workers > 1:
            from cxinsight.workers import run_parallel

            run_parallel(todo(), settings, workers, ingestor, finish)
        else:
            processor = Processor(settings, transcriber=transcriber, on_audio=on_audio)
            for seq, item, path, digest in todo():
                try:
                    prepared = processor.prepare(path, digest, item.episode_id, item.overrides)
                    ingestor.commit(prepared)
                    outcome = Outcome(item.source, "indexed", item.episode_id, prepared.detail, prepared.seconds)
                except StoreError:
                    raise
                except CxError as exc:
                    outcome = Outcome(item.source, "failed", item.episode_id, str(exc))
                finish(seq, outcome)
        log.finish(batch)
    finally:
        log.close()
        ingestor.archive.close()
    return report
