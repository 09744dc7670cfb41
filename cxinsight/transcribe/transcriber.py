"""Audio file -> Transcript, with Whisper's known failure modes handled.

- Bounded memory: audio is streamed in chunks of a few minutes (audio.py).
- No text over silence: a voice activity detector (Silero, bundled in
  faster-whisper) finds speech; chunks without speech are never decoded, and
  segments that barely overlap speech are dropped as hallucinations.
- Repetition loops and gibberish are dropped (compression ratio, repeated text,
  Whisper's own no-speech probability with a low log-probability).
- One model load per batch: a Transcriber holds its engine across files.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np

from cxinsight.models import Segment, Transcript, Word
from cxinsight.transcribe.audio import (
    SAMPLE_RATE,
    AudioChunk,
    declared_duration,
    stream_audio,
    write_pcm16,
)
from cxinsight.transcribe.engine import Engine, EngineOptions, SpokenSegment, SpokenWord
from cxinsight.transcribe.registry import load_engine

log = logging.getLogger(__name__)

MIN_SPEECH_OVERLAP = 0.2  # a segment must overlap detected speech for at least this fraction of its length
MAX_COMPRESSION_RATIO = 2.4  # Whisper's own threshold for repetition loops
NO_SPEECH_PROB, LOW_LOGPROB = 0.6, -1.0
PROMPT_WORDS = 40  # words of the previous chunk passed on as context


@dataclass
class TranscribeResult:
    transcript: Transcript
    audio_seconds: float
    speech_seconds: float
    dropped: int  # segments dropped as likely hallucinations

    @property
    def silent(self) -> bool:
        return not self.transcript.segments


def speech_regions(samples: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) seconds of detected speech in a chunk."""
    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps
    except ImportError:  # energy fallback when faster-whisper is not installed
        return _energy_regions(samples)
    found = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=500, speech_pad_ms=200))
    return [(r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE) for r in found]


def _energy_regions(samples: np.ndarray, frame: int = SAMPLE_RATE // 50) -> list[tuple[float, float]]:
    n = len(samples) // frame
    if n == 0:
        return []
    loud = np.sqrt(np.square(samples[: n * frame].reshape(n, frame)).mean(axis=1)) > 0.01
    regions, start = [], None
    for i, flag in enumerate(np.append(loud, False)):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= 10:  # at least 0.2 s
                regions.append((start * frame / SAMPLE_RATE, i * frame / SAMPLE_RATE))
            start = None
    return regions


def _overlap(start: float, end: float, regions: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in regions)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


GAP_SECONDS = 2.0  # detected speech this long with no word in it is decoded again


def uncovered_speech(spoken: list[SpokenSegment], regions: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Stretches of detected speech at least GAP_SECONDS long that no transcribed word falls in."""
    heard = sorted((w.start - 0.5, w.end + 0.5) for seg in spoken for w in (seg.words or [seg]))
    gaps = []
    for a, b in regions:
        at = a
        for lo, hi in heard:
            if hi <= at or lo >= b:
                continue
            if lo - at >= GAP_SECONDS:
                gaps.append((at, lo))
            at = max(at, hi)
        if b - at >= GAP_SECONDS:
            gaps.append((at, b))
    merged: list[tuple[float, float]] = []
    for a, b in gaps:  # neighbouring regions' gaps decode together
        if merged and a - merged[-1][1] < 1.0:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _shifted(seg: SpokenSegment, by: float) -> SpokenSegment:
    from dataclasses import replace

    return replace(seg, start=seg.start + by, end=seg.end + by,
                   words=[SpokenWord(w.text, w.start + by, w.end + by) for w in seg.words])


def keep_segment(seg: SpokenSegment, regions: list[tuple[float, float]], previous: str) -> bool:
    if not _norm(seg.text):
        return False
    if seg.compression_ratio > MAX_COMPRESSION_RATIO:
        return False
    if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOW_LOGPROB:
        return False
    if previous and _norm(seg.text) == previous:
        return False  # a repetition loop
    span = max(seg.end - seg.start, 0.1)
    return _overlap(seg.start, seg.end, regions) / span >= MIN_SPEECH_OVERLAP


def _to_segment(seg: SpokenSegment, offset: float) -> Segment:
    words: list[Word] = []
    for w in seg.words:
        text = w.text.strip()
        if not text:
            continue
        if words and not w.text[:1].isspace():  # a piece of the previous word ("6" + ",000")
            words[-1] = Word(text=words[-1].text + text, start=words[-1].start, end=round(w.end + offset, 3))
        else:
            words.append(Word(text=text, start=round(w.start + offset, 3), end=round(w.end + offset, 3)))
    return Segment(start=round(seg.start + offset, 3), end=round(seg.end + offset, 3), text=seg.text, words=words or None)


class Transcriber:
    """Loads its engine on first use and keeps it for every file of a batch."""

    def __init__(self, options: EngineOptions | None = None, engine: Engine | None = None):
        self.options = options or EngineOptions()
        self._engine = engine

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = load_engine(self.options)
        return self._engine

    @property
    def label(self) -> str:
        return f"{self.engine.name}:{self.engine.model_name}"

    @property
    def cache_key(self) -> str:
        """Every option that changes the transcript, for the transcript cache (a re-run with --language de re-transcribes)."""
        o = self.options
        return f"{self.label}.beam{o.beam_size}.batch{o.batch_size}.{o.compute_type}.{o.language or 'auto'}".replace(":", ".")

    def transcribe_chunk(self, chunk: AudioChunk, prompt: str | None) -> tuple[list[Segment], float, int]:
        regions = speech_regions(chunk.samples)
        speech = sum(b - a for a, b in regions)
        if not regions:
            return [], 0.0, 0
        spoken = self.engine.transcribe(chunk.samples, prompt=prompt)
        spoken = sorted(spoken + self._fill_gaps(chunk.samples, spoken, regions, prompt), key=lambda seg: seg.start)
        kept, dropped, previous = [], 0, ""
        for seg in spoken:
            if keep_segment(seg, regions, previous):
                kept.append(_to_segment(seg, chunk.offset))
                previous = _norm(seg.text)
            else:
                dropped += 1
                log.debug("dropped segment %.1f-%.1f %r", seg.start + chunk.offset, seg.end + chunk.offset, seg.text)
        return kept, speech, dropped

    def _fill_gaps(self, samples: np.ndarray, spoken: list[SpokenSegment], regions: list[tuple[float, float]],
                   prompt: str | None) -> list[SpokenSegment]:
        """Speech that no word covers, decoded again on its own, one window after another.

        Batched decoding reads each 30-second window once and cannot recover when Whisper ends a
        window early: measured on a synthesized interview, 21 s of speech came back as nothing. The
        sequential decoder restarts from the last timestamp, so it is used for what was missed.
        """
        gaps = uncovered_speech(spoken, regions)
        if not gaps:
            return []
        decode = getattr(self.engine, "transcribe_sequential", self.engine.transcribe)
        found: list[SpokenSegment] = []
        for a, b in gaps:
            lo, hi = max(0, int((a - 0.2) * SAMPLE_RATE)), min(len(samples), int((b + 0.2) * SAMPLE_RATE))
            shift = lo / SAMPLE_RATE
            for seg in decode(samples[lo:hi], prompt=prompt):
                middle = shift + (seg.start + seg.end) / 2
                if a - 0.5 <= middle <= b + 0.5:
                    found.append(_shifted(seg, shift))
            log.debug("re-decoded %.1f-%.1f s that batched decoding left empty", a, b)
        return found

    def transcribe(self, path: Path, on_progress: Callable[[float, float], None] | None = None,
                   keep_audio: BinaryIO | None = None) -> TranscribeResult:
        """Transcribe one file. on_progress(done_seconds, total_seconds) after each chunk; `keep_audio`, an
        open file, receives the decoded audio as 16-bit PCM (so diarization need not decode it again)."""
        path = Path(path)
        total = declared_duration(path) or 0.0
        segments: list[Segment] = []
        audio = speech = 0.0
        dropped = 0
        for chunk in stream_audio(path):
            if keep_audio is not None:
                write_pcm16(keep_audio, chunk.samples)
            prompt = " ".join(" ".join(s.text for s in segments[-8:]).split()[-PROMPT_WORDS:]) or None
            kept, chunk_speech, chunk_dropped = self.transcribe_chunk(chunk, prompt)
            segments.extend(kept)
            speech += chunk_speech
            dropped += chunk_dropped
            audio = chunk.offset + chunk.duration
            if on_progress:
                on_progress(audio, max(total, audio))
        language = self.options.language or getattr(self.engine, "last_language", None) or "en"
        transcript = Transcript(segments=segments, language=language, source_format=f"whisper:{self.label}")
        return TranscribeResult(transcript, audio, speech, dropped)
