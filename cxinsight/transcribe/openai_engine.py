"""openai-whisper (PyTorch): the reference engine for accuracy.

Bundled CTranslate2 weights are converted once to an openai-whisper checkpoint;
a user's own official `.pt` file is loaded as it is.
"""

from __future__ import annotations

import numpy as np

from cxinsight.transcribe.convert import converted_checkpoint, load_openai_model
from cxinsight.transcribe.engine import (
    EngineOptions,
    SpokenSegment,
    SpokenWord,
    cpu_threads,
)
from cxinsight.transcribe.weights import WhisperWeights


class OpenAIWhisperEngine:
    name = "openai-whisper"

    def __init__(self, weights: WhisperWeights, options: EngineOptions):
        import torch

        torch.set_num_threads(cpu_threads(options.threads))
        self.model_name = weights.name
        self.options = options
        checkpoint = weights.checkpoint or converted_checkpoint(weights.ct2_dir, weights.name)
        self.model = load_openai_model(checkpoint)

    def transcribe(self, samples: np.ndarray, prompt: str | None = None) -> list[SpokenSegment]:
        import whisper

        result = whisper.transcribe(
            self.model,
            samples.astype(np.float32, copy=False),
            language=self.options.language if self.model.is_multilingual else "en",
            beam_size=self.options.beam_size if self.options.beam_size > 1 else None,
            best_of=None if self.options.beam_size > 1 else 5,
            fp16=False,
            word_timestamps=True,
            initial_prompt=prompt,
            verbose=None,
        )
        self.last_language = result.get("language")  # what Whisper detected (or was told)
        return [
            SpokenSegment(
                start=float(s["start"]), end=float(s["end"]), text=str(s["text"]).strip(),
                words=[SpokenWord(str(w["word"]), float(w["start"]), float(w["end"])) for w in s.get("words", [])],
                avg_logprob=float(s["avg_logprob"]), no_speech_prob=float(s["no_speech_prob"]),
                compression_ratio=float(s["compression_ratio"]),
            )
            for s in result["segments"]
        ]
