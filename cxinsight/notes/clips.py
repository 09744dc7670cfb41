"""Audio clips of quotes: cut from the episode's own audio at the quote's word times, offline (PyAV only).

A clip spans the quote's first word to its last, plus a short pad each side, with a
fade in and out so it never starts or stops on a click. The clip's tags carry the
episode title, the speaker and the quote, so a writer's folder of clips explains itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cxinsight.errors import UsageError

PAD_SECONDS = 0.25
FADE_SECONDS = 0.05
FORMATS = ("mp3", "m4a", "ogg", "wav")


@dataclass
class Clip:
    path: Path
    start: float  # of the quote (the clip starts `pad` earlier)
    end: float
    pad: float
    seconds: float  # the clip's own length
    speaker: str
    text: str

    def as_dict(self) -> dict:
        return {"path": str(self.path), "start": self.start, "end": self.end, "pad": self.pad,
                "seconds": round(self.seconds, 3), "speaker": self.speaker, "text": self.text}


def episode_audio(episode, record: dict | None = None) -> Path:
    """The audio an episode was transcribed from; a transcript-only episode (or a moved file) is a usage error.

    The stored source path may be relative to where `ingest` ran; the record's source (the absolute
    path that owns the episode id) finds it from anywhere.
    """
    from cxinsight.sources import is_audio

    source = Path(episode.source_path)
    if not is_audio(source):
        raise UsageError(f"'{episode.id}' is a transcript-only episode ({source.name}): clips need its audio")
    owner = (record or {}).get("source", "")
    for candidate in (source, Path(owner) if owner and "://" not in owner else None):
        if candidate is not None and candidate.is_file():
            return candidate
    raise UsageError(f"the audio of '{episode.id}' is no longer at {owner or source}; ingest it again from where it is now")


def read_span(path: Path, start: float, end: float) -> tuple[np.ndarray, int]:
    """Mono float samples of [start, end) seconds at the file's own sample rate (seeks, never decodes it all)."""
    import av

    with av.open(str(path), metadata_errors="ignore") as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate or 44100
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        if start > 2.0 and stream.time_base:
            container.seek(int((start - 2.0) / stream.time_base), stream=stream, backward=True)
        pieces, first = [], None
        for frame in container.decode(stream):
            at = float(frame.time) if frame.time is not None else (first or 0.0)
            for piece in resampler.resample(frame):
                samples = piece.to_ndarray().reshape(-1)
                if first is None:
                    first = at
                pieces.append(samples)
            if at > end + 1.0:
                break
    if first is None:
        return np.zeros(0, np.float32), rate
    audio = np.concatenate(pieces)
    lo = max(0, int(round((start - first) * rate)))
    hi = max(lo, int(round((end - first) * rate)))
    return audio[lo:hi].astype(np.float32), rate


def cut_clip(source: Path, start: float, end: float, target: Path, *, title: str = "", speaker: str = "",
             text: str = "", pad: float = PAD_SECONDS, fade: float = FADE_SECONDS, duration: float | None = None) -> Clip:
    """Write [start - pad, end + pad] of `source` to `target` (format from its suffix), faded in and out."""
    from cxinsight.transcribe.encode import write_audio

    if end <= start:
        raise UsageError(f"the clip's start ({start:.2f} s) must be before its end ({end:.2f} s)")
    if duration is not None and start >= duration:
        raise UsageError(f"the clip starts at {start:.2f} s, past the end of the audio ({duration:.2f} s)")
    if target.exists() and target.is_dir():
        raise UsageError(f"{target} is a folder; give a file name for the clip")
    if target.parent.exists() and not target.parent.is_dir():
        raise UsageError(f"{target.parent} is a file, not a folder")
    lo = max(0.0, start - pad)
    samples, rate = read_span(source, lo, end + pad)
    if not len(samples):
        raise UsageError(f"no audio between {lo:.2f} s and {end + pad:.2f} s of {source.name}")
    ramp = min(int(fade * rate), len(samples) // 2)
    if ramp:
        shape = np.linspace(0.0, 1.0, ramp, dtype=np.float32)
        samples[:ramp] *= shape
        samples[-ramp:] *= shape[::-1]
    tags = {"title": title, "artist": speaker, "comment": text, "lyrics": text}
    target.parent.mkdir(parents=True, exist_ok=True)
    suffix = target.suffix.lower()
    # AAC adds a frame of priming and pads the last frame: at 48 kHz that is under 50 ms in all
    write_audio(target, samples, rate, bit_rate=96000 if suffix in (".mp3", ".m4a") else None,
                metadata={k: v for k, v in tags.items() if v}, out_rate=48000 if suffix == ".m4a" else None)
    return Clip(target, start, end, pad, len(samples) / rate, speaker, text)


def clip_name(episode_id: str, number: int, fmt: str) -> str:
    return f"{episode_id}-quote{number:02d}.{fmt}"
