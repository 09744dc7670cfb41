"""What the voice encoder reads: loudness-normalised speech as 40-band mel frames, cut into 1.6 s partials.

The same features as Resemblyzer's (25 ms Hann windows every 10 ms, power spectrum, 40 Slaney
mel bands, as librosa computes them), written with NumPy: importing librosa costs about 5 s and
its mel projection runs as an einsum, while one BLAS product does the same. The mel filter bank is
taken from librosa once, when the encoder is exported, and saved beside the model. Tests compare
these features with Resemblyzer's own.
"""

from __future__ import annotations

import numpy as np

RATE = 16000
WINDOW = 400  # samples: 25 ms
HOP = 160  # samples: 10 ms
PARTIAL_FRAMES = 160  # frames per partial: 1.6 s
TARGET_DBFS = -30.0  # quiet speech is raised to this loudness (never lowered)


def louder(wav: np.ndarray, target_dbfs: float = TARGET_DBFS) -> np.ndarray:
    """`wav` raised to `target_dbfs` if it is quieter; silence and loud speech unchanged."""
    power = float(np.mean(np.square(wav, dtype=np.float64))) if len(wav) else 0.0
    if power <= 0.0:
        return wav
    gain_db = target_dbfs - 10.0 * np.log10(power)
    return wav if gain_db <= 0 else (wav * np.float32(10.0 ** (gain_db / 20.0))).astype(np.float32)


def partial_starts(n_samples: int, per_second: float, min_coverage: float = 0.75) -> list[int]:
    """First mel frame of each partial covering `n_samples` of speech, `per_second` partials a second.

    The last partial is dropped when under `min_coverage` of it is speech, unless it is the only one.
    """
    n_frames = int(np.ceil((n_samples + 1) / HOP))
    step = max(1, int(round(RATE / per_second / HOP)))
    starts = list(range(0, max(1, n_frames - PARTIAL_FRAMES + step + 1), step))
    coverage = (n_samples - starts[-1] * HOP) / (PARTIAL_FRAMES * HOP)
    if coverage < min_coverage and len(starts) > 1:
        starts.pop()
    return starts


_HANN = (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(WINDOW) / WINDOW)).astype(np.float32)  # periodic, as librosa


def mel_frames(wav: np.ndarray, filters: np.ndarray) -> np.ndarray:
    """(frames, 40) mel power spectrogram of `wav`, frames centred every 10 ms (zero-padded at both ends)."""
    padded = np.pad(wav.astype(np.float32), WINDOW // 2)
    count = 1 + (len(padded) - WINDOW) // HOP
    frames = np.lib.stride_tricks.as_strided(padded, (count, WINDOW), (padded.strides[0] * HOP, padded.strides[0]))
    spectrum = np.fft.rfft(frames * _HANN, axis=1)
    power = (spectrum.real ** 2 + spectrum.imag ** 2).astype(np.float32)
    return power @ filters.T


def librosa_mel_filters() -> np.ndarray:
    """The (40, 201) Slaney mel filter bank librosa uses for these settings (called once, at export)."""
    from librosa.filters import mel

    return mel(sr=RATE, n_fft=WINDOW, n_mels=40).astype(np.float32)
