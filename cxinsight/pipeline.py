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
from cxinsight.models import Episode, Transcript
from cxinsight.settings import Settings
from cxinsight.sources import discover, episode_id_for, is_audio, read_metadata, read_transcript
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


def read_episode(path: Path, transcript: Transcript | None = None, digest: str | None = None) -> Episode:
    """Everything about one input that needs no model: transcript, metadata, sentences.

    Audio is transcribed by the caller and passed in as `transcript`.
    """
    transcript = transcript or read_transcript(path)
    meta = read_metadata(path, transcript)
    episode_id = episode_id_for(path)
    sentences = split_sentences(transcript, episode_id)
    if not sentences:
        raise InputError(path, "no sentences found in the transcript")
    return Episode(
        id=episode_id, meta=meta, source_path=str(path), content_hash=digest or content_hash(path),
        transcript=transcript, sentences=sentences,
    )


def engine_options(settings: Settings):
    from cxinsight.transcribe.engine import EngineOptions

    return EngineOptions(
        engine=settings.engine, model=settings.whisper_model, compute_type=settings.compute_type,
        beam_size=settings.beam_size, language=settings.language,
    )


class Ingestor:
    """Holds the models and the store for one batch."""

    def __init__(self, settings: Settings, on_audio_progress: Callable[[Path, float, float], None] | None = None,
                 transcriber=None):
        from cxinsight.embeddings import get_embedder
        from cxinsight.extract.chain import build_extraction_chain
        from cxinsight.extract.taxonomy import load_taxonomy
        from cxinsight.store import Archive

        self.settings = settings
        self.on_audio_progress = on_audio_progress
        self.taxonomy = load_taxonomy(settings.taxonomy)
        self.embedder = get_embedder()
        self.chain = build_extraction_chain(self.taxonomy, self.embedder)
        self.archive = Archive(settings.store, self.embedder.name, create=True)
        self._transcriber = transcriber  # loaded on the first audio file, then kept for the batch

    def transcriber(self):
        if self._transcriber is None:
            from cxinsight.transcribe.transcriber import Transcriber

            self._transcriber = Transcriber(engine_options(self.settings))
        return self._transcriber

    def audio_transcript(self, path: Path, digest: str) -> Transcript:
        """Transcribe, or reuse the transcript of the same audio made earlier with the same engine and model."""
        transcriber = self.transcriber()
        cache = Path(self.settings.store) / "transcripts" / f"{digest[:24]}.{transcriber.label.replace(':', '.')}.json"
        if cache.exists():
            return Transcript.model_validate_json(cache.read_text(encoding="utf-8"))
        report = self.on_audio_progress or (lambda *_: None)
        result = transcriber.transcribe(path, on_progress=lambda done, total: report(path, done, total))
        if result.silent:
            raise InputError(path, f"no speech found in {result.audio_seconds:.0f} s of audio (silence only?)")
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(result.transcript.model_dump_json(), encoding="utf-8")
        tmp.replace(cache)
        return result.transcript

    def ingest_file(self, path: Path, force: bool = False) -> Outcome:
        started = time.perf_counter()
        path = Path(path)
        if not path.is_file():
            raise InputError(path, "no such file or directory" if not path.exists() else "not a file")
        digest, episode_id = content_hash(path), episode_id_for(path)
        # Skip before reading or transcribing: re-running a batch costs only hashing.
        current = self.archive.records().get(episode_id)
        if current and current.get("content_hash") == digest and not force:
            return Outcome(str(path), "skipped", episode_id, "already indexed, same content")
        twin = self.archive.find_by_hash(digest)
        if twin and twin != episode_id and not force:
            return Outcome(str(path), "skipped", episode_id, f"same content as episode '{twin}'")
        transcript = self.audio_transcript(path, digest) if is_audio(path) else None
        episode = read_episode(path, transcript, digest)

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
            extra={"taxonomy": Path(self.taxonomy.path).name, "extractor": "embedding",
                   "transcriber": episode.transcript.source_format},
        )
        detail = f"{len(episode.sentences)} sentences, {n_p} passages, {n_m} tactic mentions"
        return Outcome(str(path), "indexed", episode.id, detail, time.perf_counter() - started)


def ingest(
    paths: list[Path],
    settings: Settings,
    force: bool = False,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[Outcome], None] = lambda outcome: None,
    on_audio: Callable[[Path, float, float], None] | None = None,
) -> IngestReport:
    report = IngestReport()
    files = discover(paths)
    on_start(len(files))
    if not files:
        return report
    transcriber = None
    if any(is_audio(p) for p in files):
        from cxinsight.transcribe.transcriber import Transcriber

        transcriber = Transcriber(engine_options(settings))
        transcriber.engine  # load once, before the store is touched: a bad --model stops here (exit 2)
    ingestor = Ingestor(settings, on_audio_progress=on_audio, transcriber=transcriber)
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


@dataclass
class TranscribeOutcome:
    path: str
    status: str  # "written", "silent", "failed"
    output: str = ""
    detail: str = ""
    text: str = ""  # the rendered transcript, when written to stdout


def transcribe_files(
    paths: list[Path],
    settings: Settings,
    fmt: str,
    out_dir: Path | None,
    on_audio: Callable[[Path, float, float], None] | None = None,
) -> list[TranscribeOutcome]:
    """Transcribe audio files with one model load; out_dir None keeps the text for stdout."""
    from cxinsight.formats import render_transcript
    from cxinsight.transcribe.transcriber import Transcriber

    transcriber = Transcriber(engine_options(settings))
    transcriber.engine  # a bad --model or --engine fails here, before any file
    outcomes = []
    for path in paths:
        path = Path(path)
        try:
            if path.exists() and not is_audio(path):
                raise InputError(path, f"not an audio or video file type ('{path.suffix or path.name}')")
            result = transcriber.transcribe(path, on_progress=lambda d, t: on_audio and on_audio(path, d, t))
        except CxError as exc:
            outcomes.append(TranscribeOutcome(str(path), "failed", detail=str(exc)))
            continue
        text = render_transcript(result.transcript, fmt)
        status = "silent" if result.silent else "written"
        detail = f"no speech found in {result.audio_seconds:.0f} s of audio (silence only?)" if result.silent else ""
        if out_dir is None:
            outcomes.append(TranscribeOutcome(str(path), status, "-", detail, text))
            continue
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{path.stem}.{fmt}"
        tmp = target.with_name(f".{target.name}.part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        outcomes.append(TranscribeOutcome(str(path), status, str(target), detail))
    return outcomes
