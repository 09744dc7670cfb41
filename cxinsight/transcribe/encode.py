"""Write mono float samples as an audio file with PyAV (the sample-audio synthesizer and tests use it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

CODECS = {".wav": "pcm_s16le", ".mp3": "libmp3lame", ".m4a": "aac", ".mp4": "aac", ".flac": "flac", ".ogg": "libopus"}
_FORMATS = {".m4a": "ipod", ".ogg": "ogg", ".mp3": "mp3", ".wav": "wav", ".flac": "flac", ".mp4": "mp4"}


def mux_audio(out, samples: np.ndarray, rate: int, suffix: str, bit_rate: int | None = None,
              metadata: dict[str, str] | None = None, out_rate: int | None = None) -> None:
    """Add a mono audio stream to an open output container and encode all of `samples` into it."""
    import av

    out_rate = 48000 if CODECS[suffix] == "libopus" else (out_rate or rate)  # Opus only runs at 48 kHz
    stream = out.add_stream(CODECS[suffix], rate=out_rate)
    stream.metadata.update(metadata or {})  # Ogg keeps tags on the stream (Vorbis comments), others on the file
    stream.layout = "mono"
    if bit_rate:
        stream.bit_rate = bit_rate
    resampler = av.AudioResampler(format=stream.codec_context.codec.audio_formats[0].name, layout="mono", rate=out_rate)
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    for start in range(0, len(pcm), 8192):
        frame = av.AudioFrame.from_ndarray(pcm[None, start : start + 8192], format="s16", layout="mono")
        frame.sample_rate = rate
        for piece in resampler.resample(frame):
            out.mux(stream.encode(piece))
    for piece in resampler.resample(None):
        out.mux(stream.encode(piece))
    out.mux(stream.encode(None))


def write_audio(target: Path, samples: np.ndarray, rate: int = 16000, bit_rate: int | None = None,
                metadata: dict[str, str] | None = None, out_rate: int | None = None) -> Path:
    """Encode to target (format from its suffix) through a .part file, so a half-written file never looks finished.

    `metadata` becomes the file's tags (title, artist, comment…: ID3 in MP3, iTunes atoms in M4A, Vorbis comments).
    """
    import av

    target = Path(target)
    suffix = target.suffix.lower()
    tmp = target.with_name(f".{target.name}.part")
    with av.open(str(tmp), "w", format=_FORMATS[suffix]) as out:
        out.metadata.update(metadata or {})
        mux_audio(out, samples, rate, suffix, bit_rate, metadata, out_rate)
    tmp.replace(target)
    return target
