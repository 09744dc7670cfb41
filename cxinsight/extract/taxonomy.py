"""The tactic taxonomy: a YAML file users can edit (prompts/tactics.yaml by default)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from cxinsight.errors import ConfigError
from cxinsight.models import Tactic
from cxinsight.sources.textfile import read_text
from cxinsight.util.resources import default_taxonomy_path


class ClassifierConfig(BaseModel):
    """Decision rules of the embedding classifier; calibrated with `cxinsight eval --calibrate`."""

    threshold: float = 0.44  # min cosine of a (context-mixed) sentence to a tactic's centroid
    margin: float = 0.0  # a sentence is labelled only with tactics this close to its best score
    window: int = 1  # sentences per scoring window
    context: float = 0.3  # window 1: weight of the mean vector of the sentence and its same-speaker neighbours
    min_words: int = 4  # shorter sentences ("Absolutely.") are never labelled
    min_sentences: int = 3  # an episode discusses a tactic only if this many sentences are labelled with it
    # Growing a discussion from its labelled sentences (None: no growth): a neighbour joins while its score for
    # the tactic is at least grow_threshold and within grow_margin of its best among the tactics the text
    # discusses; gaps of up to fill_gap sentences between two labelled ones are filled.
    grow_threshold: float | None = None
    grow_margin: float = 0.0
    fill_gap: int = 0
    # A learned head (extract/head.py): its file, relative to the taxonomy file (None: centroids alone), and the
    # weight of its score in the blend with the centroid's cosine.
    head: str | None = None
    head_weight: float = Field(default=0.5, ge=0.0, le=1.0)


class Taxonomy(BaseModel):
    version: int | str = 1
    classifier: ClassifierConfig = Field(default_factory=ClassifierConfig)
    tactics: list[Tactic]
    path: str = ""

    def get(self, tactic_id: str) -> Tactic | None:
        return next((t for t in self.tactics if t.id == tactic_id), None)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.tactics]


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    import yaml

    path = Path(path or default_taxonomy_path())
    text = read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(path, f"invalid YAML{f' at line {mark.line + 1}' if mark else ''}") from None
    if not isinstance(data, dict) or not isinstance(data.get("tactics"), list):
        raise ConfigError(path, "a taxonomy needs a 'tactics:' list of {id, name, description, examples}")
    try:
        taxonomy = Taxonomy(**data, path=str(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(path, f"invalid taxonomy at {where}: {first['msg']}") from None
    seen: set[str] = set()
    for tactic in taxonomy.tactics:
        if tactic.id in seen:
            raise ConfigError(path, f"tactic id '{tactic.id}' appears twice")
        seen.add(tactic.id)
    return taxonomy
