"""Typed settings: defaults, then a named preset, then environment variables, then flags."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

from cxinsight.extract.taxonomy import default_taxonomy_path


class Settings(BaseModel):
    store: Path = Field(default=Path(".cxinsight"), description="store folder (env CXINSIGHT_STORE)")
    chroma_url: str | None = Field(default=None, description="shared Chroma server; store then holds local caches (env CXINSIGHT_CHROMA_URL)")
    taxonomy: Path = Field(default_factory=default_taxonomy_path, description="tactic taxonomy YAML")
    top_k: int = Field(default=5, ge=1, le=100, description="passages an answer or search returns")
    # Answers refuse when no retrieved passage is at least this similar to the question.
    # Calibrated on corpus/gold.yaml (answerable vs unanswerable questions): see README.
    min_relevance: float = Field(default=0.35, ge=-1.0, le=1.0)
    rrf_k: int = Field(default=60, description="reciprocal rank fusion constant")
    candidates: int = Field(default=40, description="passages each retriever hands to the fusion")
    # Transcription (audio and video input).
    engine: str = Field(default="auto", description="auto | faster-whisper | openai-whisper (env CXINSIGHT_ENGINE)")
    whisper_model: str = Field(default="tiny.en", description="tiny.en | base | CTranslate2 folder | .pt file")
    compute_type: str = Field(default="int8", description="faster-whisper weights: int8 or float32")
    beam_size: int = Field(default=5, ge=1, le=20)
    batch_size: int = Field(default=8, ge=1, le=64, description="faster-whisper: 30-second windows decoded at once; 1 = in order, each conditioned on the text before")
    max_download_mb: int = Field(default=1024, ge=1, description="largest enclosure a feed or manifest may download")
    max_download_minutes: float = Field(default=30.0, gt=0, description="longest time one download may take")
    llm: str = Field(default="none", description="none | openai:MODEL | ollama:MODEL | llamacpp:PATH.gguf (env CXINSIGHT_LLM)")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible or Ollama server URL (env OPENAI_BASE_URL)")
    executor: str = Field(default="local", pattern="^(local|ray)$", description="local (this machine) or ray (a Ray cluster)")
    ray_address: str | None = Field(default=None, description="Ray cluster address (ray://HOST:10001 or HOST:6379); None: a private local instance")
    llm_timeout: float = Field(default=60.0, gt=0)
    language: str | None = Field(default=None, description="spoken language; None: English for *.en models, else detected")


PRESETS: dict[str, dict] = {
    "default": {},
    # Wider retrieval and the larger bundled Whisper model.
    "thorough": {"top_k": 10, "candidates": 100, "whisper_model": "base"},
    # Quick look-ups and greedy decoding: fewer candidates, fewer citations.
    "fast": {"top_k": 3, "candidates": 20, "beam_size": 1},
}


def load_settings(preset: str = "default", **flags) -> Settings:
    values: dict = dict(PRESETS[preset])
    if os.environ.get("CXINSIGHT_STORE"):
        values["store"] = Path(os.environ["CXINSIGHT_STORE"])
    if os.environ.get("CXINSIGHT_TAXONOMY"):
        values["taxonomy"] = Path(os.environ["CXINSIGHT_TAXONOMY"])
    for key, env in (("chroma_url", "CXINSIGHT_CHROMA_URL"), ("engine", "CXINSIGHT_ENGINE"), ("whisper_model", "CXINSIGHT_WHISPER_MODEL"), ("llm", "CXINSIGHT_LLM")):
        if os.environ.get(env):
            values[key] = os.environ[env]
    values.update({k: v for k, v in flags.items() if v is not None})
    return Settings(**values)
