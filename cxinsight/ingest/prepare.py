"""Preparing one episode with no store: transcribe (audio), split, extract, embed.

A Processor holds the models for a batch (taxonomy, embedder, extraction chain,
Whisper); it runs in the parent, in --workers processes and in Ray actors alike.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from cxinsight.errors import CxError, InputError
from cxinsight.models import Episode, Passage, TacticMention, Transcript, known_language
from cxinsight.settings import Settings
from cxinsight.sources import episode_id_for, is_audio, read_metadata, read_transcript
from cxinsight.text.passages import assemble
from cxinsight.text.sentences import split_sentences
from cxinsight.util import failpoints
from cxinsight.util.checksums import sha256_of


def content_hash(path: Path) -> str:
    """What decides whether an input changed since it was indexed: the SHA-256 of its bytes."""
    return sha256_of(path)


def read_episode(path: Path, transcript: Transcript | None = None, digest: str | None = None,
                 episode_id: str | None = None, overrides: dict | None = None,
                 renames: dict[str, str] | None = None) -> Episode:
    """Everything about one input that needs no model: transcript, metadata, sentences.

    Audio is transcribed (and diarized) by the caller and passed in as `transcript`. Its voices, and
    labels that are a short form of a person's name ("DERVLA"), are named here from the metadata; then
    the user's renames are applied.
    """
    from cxinsight.transcribe.voices import rename_speakers, speaker_names

    transcript = transcript or read_transcript(path)
    meta = read_metadata(path, transcript, overrides)
    transcript = rename_speakers(transcript, speaker_names(transcript, meta.host, meta.guest))
    if renames:
        transcript = rename_speakers(transcript, renames)
        meta = meta.model_copy(update={k: renames.get(getattr(meta, k), getattr(meta, k)) for k in ("host", "guest")})
    episode_id = episode_id or episode_id_for(path)
    sentences = split_sentences(transcript, episode_id)
    if not sentences:
        raise InputError(path, "no sentences found in the transcript")
    return Episode(
        id=episode_id, meta=meta, source_path=str(path), content_hash=digest or content_hash(path),
        transcript=transcript, sentences=sentences,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


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
        warnings = self.episode.transcript.warnings
        # Damaged cues recovered, a file read as what it is rather than what its name says, legacy encodings.
        warned = f"; {len(warnings)} warning{'s' if len(warnings) > 1 else ''}: {'; '.join(warnings[:3])}" if warnings else ""
        voices = f"; {self.episode.transcript.speaker_note}" if self.episode.transcript.speaker_note else ""
        return (f"{_count(len(self.episode.sentences), 'sentence')}, {_count(len(self.passages), 'passage')}, "
                f"{_count(len(self.mentions), 'tactic mention')}{extra}{self.note}{warned}{voices}")


class Processor:
    """The models for a batch (taxonomy, embedder, extraction chain, Whisper), no store: runs in workers too."""

    def __init__(self, settings: Settings, transcriber=None, threads: int = 0,
                 on_audio: Callable[[Path, float, float], None] | None = None):
        from cxinsight.embed import get_embedder
        from cxinsight.extract.chain import build_extraction_chain
        from cxinsight.extract.head import labelling_fingerprint
        from cxinsight.extract.taxonomy import load_taxonomy
        from cxinsight.llm.calls import client_for

        self.settings = settings
        self.threads = threads
        self.on_audio = on_audio
        self.taxonomy = load_taxonomy(settings.taxonomy)
        self.labelling = labelling_fingerprint(self.taxonomy)
        self.embedder = get_embedder()
        self.extractor, client = "embedding", client_for(settings)
        if client is not None:
            self.extractor = f"embedding+llm:{settings.llm}"
        self.chain = build_extraction_chain(self.taxonomy, self.embedder, client)
        self._transcriber = transcriber  # loaded on the first audio file, then kept for the batch

    def transcriber(self):
        if self._transcriber is None:
            from cxinsight.transcribe.engine import options_from_settings
            from cxinsight.transcribe.transcriber import Transcriber

            self._transcriber = Transcriber(options_from_settings(self.settings, self.threads))
        return self._transcriber

    def audio_transcript(self, path: Path, digest: str, spool: Path | None = None) -> Transcript:
        """Transcribe, or reuse the transcript of the same audio made earlier with the same engine and model.
        When it transcribes and `spool` is given, the decoded audio is kept there as 16-bit PCM."""
        transcriber = self.transcriber()
        cache = Path(self.settings.store) / "transcripts" / f"{digest[:24]}.{transcriber.cache_key}.json"
        if cache.exists():
            return Transcript.model_validate_json(cache.read_text(encoding="utf-8"))
        report = self.on_audio or (lambda *_: None)

        def progress(done: float, total: float) -> None:
            failpoints.reach("transcribe")
            report(path, done, total)

        if spool is None:
            result = transcriber.transcribe(path, on_progress=progress)
        else:
            with open(spool, "wb") as keep:
                result = transcriber.transcribe(path, on_progress=progress, keep_audio=keep)
        if result.silent:
            raise InputError(path, f"no speech found in {result.audio_seconds:.0f} s of audio (silence only?)")
        _write_cache(cache, result.transcript)
        return result.transcript

    def voiced_transcript(self, path: Path, digest: str) -> Transcript:
        """The audio's transcript with every word's voice ("Speaker N"), cached like the transcript itself."""
        if not self.settings.diarize:
            return self.audio_transcript(path, digest)
        from cxinsight.transcribe.diarize import DIARIZER, diarize

        key = f"{self.transcriber().cache_key}.{DIARIZER}.voices{self.settings.speakers or 'auto'}"
        cache = Path(self.settings.store) / "transcripts" / f"{digest[:24]}.{key}.json"
        if cache.exists():
            return Transcript.model_validate_json(cache.read_text(encoding="utf-8"))
        # decoded once: the transcriber spools the audio (2 bytes a sample, about 115 MB an hour, on disk,
        # read back a phrase at a time) and diarization reads it; a cached transcript leaves no spool. Named
        # by content, so a re-run after a kill overwrites and removes the one left (doctor --repair also does).
        spool = Path(self.settings.store) / f".{digest[:24]}.pcm16.part"
        try:
            transcript = self.audio_transcript(path, digest, spool)
            voiced = diarize(path, transcript, self.settings.speakers or None, spool if spool.exists() else None).transcript
        finally:
            spool.unlink(missing_ok=True)
        _write_cache(cache, voiced)
        return voiced

    def prepare(self, path: Path, digest: str, episode_id: str, overrides: dict) -> Prepared:
        with self.embedder.memo():  # one episode's texts are embedded once, however many roles they play
            return self._prepare(path, digest, episode_id, overrides)

    def prepare_result(self, path: str, digest: str, episode_id: str, overrides: dict):
        """("ok", Prepared) or ("failed", reason): what a worker of any executor sends back."""
        try:
            return "ok", self.prepare(Path(path), digest, episode_id, overrides)
        except CxError as exc:  # sent back as text: our exceptions' constructors do not round-trip through pickle
            return "failed", str(exc)

    def _prepare(self, path: Path, digest: str, episode_id: str, overrides: dict) -> Prepared:
        started = time.perf_counter()
        from cxinsight.store.renames import load_renames

        transcript = self.voiced_transcript(path, digest) if is_audio(path) else None
        renames = load_renames(self.settings.store, episode_id)
        episode = read_episode(path, transcript, digest, episode_id, overrides, renames)
        extraction = self.chain.invoke({"episode_id": episode.id, "sentences": episode.sentences, "meta": episode.meta})
        failpoints.reach("extract")
        mentions, fallback = extraction.mentions, extraction.llm_fallback
        passages, vectors = assemble(episode, mentions, self.embedder)
        extra = {"taxonomy": Path(self.taxonomy.path).name, "extractor": "embedding" if fallback else self.extractor,
                 "transcriber": episode.transcript.source_format, "llm_fallback": fallback,
                 "language": known_language(episode.transcript), "labelling": self.labelling}
        note = f" (LLM step failed: {fallback}; kept the embedding classifier's mentions)" if fallback else ""
        return Prepared(episode, passages, mentions, vectors, extra, time.perf_counter() - started, note)


def _write_cache(cache: Path, transcript: Transcript) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(f"{cache.name}.tmp{os.getpid()}")
    tmp.write_text(transcript.model_dump_json(), encoding="utf-8")
    tmp.replace(cache)


def processor_from_json(settings_json: str, threads: int = 0) -> Processor:
    """A Processor built from serialised settings: how --workers processes and Ray actors make theirs."""
    return Processor(Settings.model_validate_json(settings_json), threads=threads)
