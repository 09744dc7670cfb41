"""Write small media files with PyAV for tests: any container, optional video, no system ffmpeg."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np


def write_media(path: Path, samples: np.ndarray | None, rate: int = 16000, video: bool = False) -> Path:
    """Encode mono float samples (and/or a tiny black video track) into `path`."""
    import av

    from cxinsight.transcribe.encode import mux_audio, write_audio

    path = Path(path)
    if not video:
        return write_audio(path, samples, rate)
    with av.open(str(path), "w") as out:
        vstream = out.add_stream("mpeg4", rate=10)
        vstream.width, vstream.height, vstream.pix_fmt = 64, 48, "yuv420p"
        if samples is not None:
            mux_audio(out, samples, rate, path.suffix.lower())
        seconds = len(samples) / rate if samples is not None else 2.0
        for i in range(int(seconds * 10)):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 10)
            out.mux(vstream.encode(frame.reformat(format="yuv420p")))
        out.mux(vstream.encode(None))
    return path
