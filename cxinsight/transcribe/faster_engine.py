"""faster-whisper (CTranslate2): the fast path, int8 on CPU by default."""

from __future__ import annotations

import numpy as np

from cxinsight.errors import UsageError
from cxinsight.transcribe.engine import (
    EngineOptions,
    SpokenSegment,
    SpokenWord,
    cpu_threads,
)
from cxinsight.transcribe.weights import WhisperWeights


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, weights: WhisperWeights, options: EngineOptions):
        from faster_whisper import WhisperModel

        if options.compute_type not in ("int8", "int8_float32", "float32", "float16", "int16", "default"):
            raise UsageError(f"unknown --compute-type '{options.compute_type}' (int8 or float32 on CPU)")
        self.model_name = weights.name
        self.options = options
        self.model = WhisperModel(
            str(weights.ct2_dir), device="cpu", compute_type=options.compute_type,
            cpu_threads=cpu_threads(options.threads), local_files_only=True,
        )
        self.batched = None
        if options.batch_size > 1:
            from faster_whisper import BatchedInferencePipeline

            self.batched = BatchedInferencePipeline(self.model)

    def transcribe_sequential(self, samples: np.ndarray, prompt: str | None = None) -> list[SpokenSegment]:
        """One window after another, each conditioned on the last: for speech that batched decoding missed."""
        return self.transcribe(samples, prompt, batched=False)

    def transcribe(self, samples: np.ndarray, prompt: str | None = None, batched: bool = True) -> list[SpokenSegment]:
        language = self.options.language if self.model.model.is_multilingual else "en"
        if self.batched is not None and batched:
            # Speech cut at pauses into windows of up to 30 s, several decoded in one batch: about twice
            # as fast on 2 cores as one window after another. Windows are independent, so no prompt.
            segments, _info = self.batched.transcribe(
                samples, language=language, beam_size=self.options.beam_size, word_timestamps=True,
                vad_filter=True, batch_size=self.options.batch_size,
            )
        else:
            segments, _info = self.model.transcribe(
                samples, language=language, beam_size=self.options.beam_size, word_timestamps=True,
                vad_filter=True,  # Silero VAD (bundled in faster-whisper): no decoding over silence
                initial_prompt=prompt,
            )
        self.last_language = getattr(_info, "language", None) or language  # what Whisper detected (or was told)
        return [
            SpokenSegment(
                start=s.start, end=s.end, text=s.text.strip(),
                words=[SpokenWord(w.word, w.start, w.end) for w in (s.words or [])],
                avg_logprob=s.avg_logprob, no_speech_prob=s.no_speech_prob, compression_ratio=s.compression_ratio,
            )
            for s in segments  # a generator: decoding happens here
        ]
