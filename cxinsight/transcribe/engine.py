"""The small interface every Whisper engine implements (registry.py picks one by name).

An engine turns one chunk of 16 kHz mono audio into timed segments with word
timestamps. Everything else (decoding, chunking, silence, hallucination filters,
building the Transcript) is shared in transcriber.py, so engines stay small.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from cxinsight.transcribe.weights import DEFAULT_MODEL


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


def cpu_threads(requested: int = 0) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


def options_from_settings(settings, threads: int = 0) -> EngineOptions:
    """The engine options a Settings object asks for (threads 0: all cores)."""
    return EngineOptions(
        engine=settings.engine, model=settings.whisper_model, compute_type=settings.compute_type,
        beam_size=settings.beam_size, batch_size=settings.batch_size, language=settings.language, threads=threads,
    )
