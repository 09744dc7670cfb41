"""Decode audio or video into 16 kHz mono float32, streamed in bounded chunks.

PyAV (FFmpeg's libraries, shipped in its wheel) reads any container FFmpeg
knows, so no system ffmpeg is needed. Audio is yielded in chunks of a few
minutes, cut at the quietest moment near each boundary, so a 2-hour file needs
no more memory than a 10-minute one and no word is cut in half.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from cxinsight.errors import InputError
from cxinsight.util.clock import clock

SAMPLE_RATE = 16000
CHUNK_SECONDS = 300.0
SEARCH_SECONDS = 20.0  # the cut is placed at the quietest 50 ms within this window before the boundary
_FRAME = SAMPLE_RATE // 20


@dataclass
class AudioChunk:
    offset: float  # seconds from the start of the file
    samples: np.ndarray  # float32, mono, 16 kHz

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def _open(path: Path):
    import av

    if not path.exists():
        raise InputError(path, "no such file or directory")
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(path, "empty file (0 bytes), no audio to transcribe")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.FFmpegError as exc:
        raise InputError(path, f"not a readable audio or video file ({_ffmpeg_reason(exc)})") from exc
    if not container.streams.audio:
        container.close()
        raise InputError(path, "has no audio track")
    return container


def _ffmpeg_reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc).split(":")[0] or exc.__class__.__name__


def declared_duration(path: Path) -> float | None:
    """Duration the container claims, in seconds (None when it does not say)."""
    with _open(Path(path)) as container:
        stream = container.streams.audio[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if container.duration is not None:
            return container.duration / 1_000_000
    return None


def _quietest_cut(samples: np.ndarray, boundary: int) -> int:
    start = max(0, boundary - int(SEARCH_SECONDS * SAMPLE_RATE))
    window = samples[start:boundary]
    frames = len(window) // _FRAME
    if frames < 2:
        return boundary
    energy = np.square(window[: frames * _FRAME].reshape(frames, _FRAME)).mean(axis=1)
    return start + int(np.argmin(energy)) * _FRAME + _FRAME // 2


def _decoded_frames(path: Path, container) -> Iterator[np.ndarray]:
    import av

    stream = container.streams.audio[0]
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    decoded = 0
    try:
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                array = out.to_ndarray().reshape(-1)
                decoded += len(array)
                yield array
        for out in resampler.resample(None):
            yield out.to_ndarray().reshape(-1)
    except av.FFmpegError as exc:
        at = clock(decoded / SAMPLE_RATE)
        raise InputError(path, f"corrupt or truncated audio at {at} ({_ffmpeg_reason(exc)})") from exc


def stream_audio(path: Path, chunk_seconds: float = CHUNK_SECONDS) -> Iterator[AudioChunk]:
    """Yield AudioChunks covering the whole file; raises InputError on unreadable or truncated media."""
    path = Path(path)
    declared = declared_duration(path)
    limit = int(chunk_seconds * SAMPLE_RATE)
    pending: list[np.ndarray] = []
    pending_len = 0
    offset = 0  # samples already yielded
    with _open(path) as container:
        for array in _decoded_frames(path, container):
            pending.append(array)
            pending_len += len(array)
            if pending_len >= limit + SAMPLE_RATE * SEARCH_SECONDS / 2:
                buffer = np.concatenate(pending)
                cut = _quietest_cut(buffer, limit)
                yield AudioChunk(offset / SAMPLE_RATE, buffer[:cut])
                offset += cut
                pending = [buffer[cut:].copy()]  # a copy, so the big buffer can be freed
                pending_len = len(pending[0])
    total = offset + pending_len
    if total == 0:
        raise InputError(path, "no audio samples could be decoded")
    # A file cut short still decodes; its header (e.g. an MP3 Xing frame) says how long it should be.
    if declared and total / SAMPLE_RATE < declared * 0.9 - 1.0:
        raise InputError(path, f"truncated audio: decoded {clock(total / SAMPLE_RATE)} of {clock(declared)}")
    if pending_len:
        yield AudioChunk(offset / SAMPLE_RATE, np.concatenate(pending))


def load_audio(path: Path) -> np.ndarray:
    """The whole file as one array (for short clips, tests and benchmarks)."""
    return np.concatenate([chunk.samples for chunk in stream_audio(path, chunk_seconds=1e9)])


def write_pcm16(handle, samples: np.ndarray) -> None:
    """Append float samples to an open file as 16-bit PCM (a spool of decoded audio for a second pass)."""
    handle.write((np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes())


def read_pcm16(handle, start: float, end: float) -> np.ndarray:
    """Samples start..end seconds from a 16-bit PCM spool, as float32 (a plain read: no mapping, RSS stays flat)."""
    a = max(0, int(start * SAMPLE_RATE))
    handle.seek(a * 2)
    count = max(0, int(end * SAMPLE_RATE) - a)
    return np.frombuffer(handle.read(count * 2), dtype="<i2").astype(np.float32) / 32767.0
