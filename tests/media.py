"""Write small media files with PyAV for tests: any container, optional video, no system ffmpeg."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

AUDIO_CODECS = {".wav": "pcm_s16le", ".mp3": "libmp3lame", ".m4a": "aac", ".flac": "flac",
                ".ogg": "libopus", ".mp4": "aac"}


def write_media(path: Path, samples: np.ndarray | None, rate: int = 16000, video: bool = False) -> Path:
    """Encode mono float samples (and/or a tiny black video track) into `path`."""
    import av

    path = Path(path)
    with av.open(str(path), "w") as out:
        vstream = astream = None
        if video:
            vstream = out.add_stream("mpeg4", rate=10)
            vstream.width, vstream.height, vstream.pix_fmt = 64, 48, "yuv420p"
        if samples is not None:
            codec = AUDIO_CODECS[path.suffix.lower()]
            out_rate = 48000 if codec == "libopus" else rate
            astream = out.add_stream(codec, rate=out_rate)
            astream.layout = "mono"
            resampler = av.AudioResampler(format=astream.codec_context.codec.audio_formats[0].name,
                                          layout="mono", rate=out_rate)
            pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
            for start in range(0, len(pcm), 4096):
                frame = av.AudioFrame.from_ndarray(pcm[None, start : start + 4096], format="s16", layout="mono")
                frame.sample_rate = rate
                for rframe in resampler.resample(frame):
                    out.mux(astream.encode(rframe))
            for rframe in resampler.resample(None):
                out.mux(astream.encode(rframe))
            out.mux(astream.encode(None))
        if vstream is not None:
            seconds = len(samples) / rate if samples is not None else 2.0
            for i in range(int(seconds * 10)):
                frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
                frame.pts, frame.time_base = i, Fraction(1, 10)
                out.mux(vstream.encode(frame.reformat(format="yuv420p")))
            out.mux(vstream.encode(None))
    return path
