"""The small interface every Whisper engine implements, and the factory that picks one.

An engine turns one chunk of 16 kHz mono audio into timed segments with word
timestamps. Everything else (decoding, chunking, silence, hallucination filters,
building the Transcript) is shared in transcriber.py, so engines stay small.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from cxinsight.errors import UsageError
from cxinsight.transcribe.weights import DEFAULT_MODEL, resolve_weights

ENGINES = ("auto", "faster-whisper", "openai-whisper")


@dataclass
class SpokenWord:
    text: str  # as Whisper gives it: a leading space starts a new word, none continues the last ("6" ",000")
    start: float
    end: float


@dataclass
class SpokenSegment:
    start: float
    end: float
    text: str
    words: list[SpokenWord] = field(default_factory=list)
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 1.0


@dataclass(frozen=True)
class EngineOptions:
    engine: str = "auto"
    model: str = DEFAULT_MODEL
    compute_type: str = "int8"  # faster-whisper only: int8 (fast) or float32
    beam_size: int = 5
    batch_size: int = 8  # faster-whisper: windows decoded together (2x faster on 2 cores); 1 = sequential
    language: str | None = None  # None: English for *.en models, else detected
    threads: int = 0  # 0: all cores


class Engine(Protocol):
    name: str
    model_name: str

    def transcribe(self, samples: np.ndarray, prompt: str | None = None) -> list[SpokenSegment]: ...


def faster_whisper_available() -> bool:
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        return False
    return True


def cpu_threads(requested: int = 0) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


def load_engine(options: EngineOptions) -> Engine:
    """Resolve weights and load the model once; the caller reuses the engine for a whole batch."""
    if options.engine not in ENGINES:
        raise UsageError(f"unknown engine '{options.engine}' (choose from {', '.join(ENGINES)})")
    if options.beam_size < 1:
        raise UsageError("--beam-size must be at least 1")
    weights = resolve_weights(options.model)
    engine = options.engine
    if engine == "auto":
        engine = "faster-whisper" if faster_whisper_available() and weights.ct2_dir else "openai-whisper"
    if engine == "faster-whisper":
        if weights.ct2_dir is None:
            raise UsageError("faster-whisper needs a CTranslate2 model folder, not a .pt file (use --engine openai-whisper)")
        if not faster_whisper_available():
            raise UsageError("faster-whisper is not installed (pip install faster-whisper, or use --engine openai-whisper)")
        from cxinsight.transcribe.faster_engine import FasterWhisperEngine

        return FasterWhisperEngine(weights, options)
    from cxinsight.transcribe.openai_engine import OpenAIWhisperEngine

    return OpenAIWhisperEngine(weights, options)
