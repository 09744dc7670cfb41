"""Typed settings: defaults, then a named preset, then environment variables, then flags."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

from cxinsight.extract.taxonomy import default_taxonomy_path


class Settings(BaseModel):
    store: Path = Field(default=Path(".cxinsight"), description="store folder (env CXINSIGHT_STORE)")
    taxonomy: Path = Field(default_factory=default_taxonomy_path, description="tactic taxonomy YAML")
    top_k: int = Field(default=5, ge=1, le=100, description="passages an answer or search returns")
    # Answers refuse when no retrieved passage is at least this similar to the question.
    # Calibrated on corpus/gold.yaml (answerable vs unanswerable questions): see README.
    min_relevance: float = Field(default=0.35, ge=-1.0, le=1.0)
    rrf_k: int = Field(default=60, description="reciprocal rank fusion constant")
    candidates: int = Field(default=40, description="passages each retriever hands to the fusion")


PRESETS: dict[str, dict] = {
    "default": {},
    # Wider retrieval, for researchers who prefer recall over speed.
    "thorough": {"top_k": 10, "candidates": 100},
    # Quick look-ups: fewer candidates, fewer citations.
    "fast": {"top_k": 3, "candidates": 20},
}


def load_settings(preset: str = "default", **flags) -> Settings:
    values: dict = dict(PRESETS[preset])
    if os.environ.get("CXINSIGHT_STORE"):
        values["store"] = Path(os.environ["CXINSIGHT_STORE"])
    if os.environ.get("CXINSIGHT_TAXONOMY"):
        values["taxonomy"] = Path(os.environ["CXINSIGHT_TAXONOMY"])
    values.update({k: v for k, v in flags.items() if v is not None})
    return Settings(**values)
