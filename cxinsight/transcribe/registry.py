"""Engines by name: auto, faster-whisper (CTranslate2) or openai-whisper (PyTorch)."""

from __future__ import annotations

from cxinsight.errors import UsageError
from cxinsight.transcribe.engine import Engine, EngineOptions
from cxinsight.transcribe.weights import resolve_weights

ENGINES = ("auto", "faster-whisper", "openai-whisper")


def faster_whisper_available() -> bool:
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        return False
    return True


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
