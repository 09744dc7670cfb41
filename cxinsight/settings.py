"""Typed settings (pydantic-settings): defaults, then a named preset, then CXINSIGHT_* variables, then flags.

Every field can be set from the environment as CXINSIGHT_<FIELD> (CXINSIGHT_STORE, CXINSIGHT_TOP_K, …);
the LLM server URL also from OPENAI_BASE_URL. This is the one place the environment is read for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from cxinsight.util.resources import default_taxonomy_path


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CXINSIGHT_", populate_by_name=True, extra="ignore")

    preset: str = Field(default="default", description="named preset the values start from (see PRESETS)")
    store: Path = Field(default=Path(".cxinsight"), description="store folder (env CXINSIGHT_STORE)")
    chroma_url: str | None = Field(default=None, description="shared Chroma server; store then holds local caches (env CXINSIGHT_CHROMA_URL)")
    taxonomy: Path = Field(default_factory=default_taxonomy_path, description="tactic taxonomy YAML")
    top_k: int = Field(default=5, ge=1, le=100, description="passages an answer or search returns")
    # Answers refuse when no retrieved passage is at least this similar to the question.
    # Calibrated on corpus/gold.yaml (answerable vs unanswerable questions): see README.
    min_relevance: float = Field(default=0.35, ge=-1.0, le=1.0)
    # ... and when the evidence is near the topic but does not hold what is asked: best similarity
    # + 0.5 x the share of the question's (IDF-weighted) content words one passage holds (answer/support.py).
    min_support: float = Field(default=0.60, ge=-1.0, le=2.0)
    rrf_k: int = Field(default=60, description="reciprocal rank fusion constant")
    candidates: int = Field(default=40, description="passages each retriever hands to the fusion")
    episode_weight: float = Field(default=2.0, ge=0.0, description="weight in the fusion of the whole-episode keyword "
                                  "ranking, added to each passage of a ranked episode (0: passages alone)")
    # Transcription (audio and video input).
    engine: str = Field(default="auto", description="auto | faster-whisper | openai-whisper (env CXINSIGHT_ENGINE)")
    whisper_model: str = Field(default="tiny.en", description="tiny.en | base | CTranslate2 folder | .pt file")
    compute_type: str = Field(default="int8", description="faster-whisper weights: int8 or float32")
    beam_size: int = Field(default=5, ge=1, le=20)
    batch_size: int = Field(default=8, ge=1, le=64, description="faster-whisper: 30-second windows decoded at once; 1 = in order, each conditioned on the text before")
    max_download_mb: int = Field(default=1024, ge=1, description="largest enclosure a feed or manifest may download")
    max_download_minutes: float = Field(default=30.0, gt=0, description="longest time one download may take")
    llm: str = Field(default="none", description="none | openai:MODEL | ollama:MODEL | llamacpp:PATH.gguf (env CXINSIGHT_LLM)")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible or Ollama server URL (env OPENAI_BASE_URL)",
                                     validation_alias=AliasChoices("llm_base_url", "CXINSIGHT_LLM_BASE_URL", "OPENAI_BASE_URL"))
    executor: str = Field(default="local", pattern="^(local|ray)$", description="local (this machine) or ray (a Ray cluster)")
    ray_address: str | None = Field(default=None, description="Ray cluster address (ray://HOST:10001 or HOST:6379); None: a private local instance")
    llm_timeout: float = Field(default=60.0, gt=0)
    # Shared server only: a writer whose lease row has not changed for this long is taken over (see store/lease.py).
    lease_seconds: float = Field(default=60.0, gt=0, description="writer lease on a Chroma server (env CXINSIGHT_LEASE_SECONDS)")
    language: str | None = Field(default=None, description="spoken language; None: English for *.en models, else detected")
    diarize: bool = Field(default=True, description="label who speaks when in audio (env CXINSIGHT_DIARIZE)")
    speakers: int = Field(default=0, ge=0, le=20, description="voices in audio episodes; 0: found automatically")


PRESETS: dict[str, dict] = {
    "default": {},
    # Wider retrieval and the larger bundled Whisper model.
    "thorough": {"top_k": 10, "candidates": 100, "whisper_model": "base"},
    # Quick look-ups and greedy decoding: fewer candidates, fewer citations.
    "fast": {"top_k": 3, "candidates": 20, "beam_size": 1},
}


class PresetSource(PydanticBaseSettingsSource):
    """The named preset's values, below the environment and flags."""

    def __init__(self, settings_cls, values: dict):
        super().__init__(settings_cls)
        self.values = values

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.values)


def _customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):
    preset = init_settings.init_kwargs.get("preset") or "default"
    return init_settings, env_settings, PresetSource(settings_cls, PRESETS[preset])


Settings.settings_customise_sources = classmethod(_customise_sources)


def load_settings(preset: str = "default", **flags) -> Settings:
    """Settings for a preset with flags on top (None means "not given"); the environment fills the rest."""
    return Settings(preset=preset, **{k: v for k, v in flags.items() if v is not None})
