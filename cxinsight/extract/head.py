"""A learned head on the sentence vectors: one logistic regression per tactic, trained on labelled text.

The centroid of a tactic's description and examples only knows how the tactic is phrased in those few
lines; text written elsewhere discusses it in other words ("the audit ran for six weeks"). The head learns,
from the tuning sets' gold sentences (the sample corpus and the development set, never the test set) plus
the taxonomy's examples, which directions in the embedding space go with each tactic. A sentence's score for
a tactic is then a blend: (1 - head_weight) x its cosine to the centroid + head_weight x the head's
probability read on the cosine scale (`LOW` + (`HIGH` - `LOW`) x p), so the classifier's thresholds keep
their meaning. (Measured by leave-one-document-out on corpus + devset, rule as shipped: see README.)

The head reads more than the centroid does: beside the sentence in context (the vector the centroids score),
the sentence's own vector and the mean vector of the talk around it, whoever speaks (`INPUTS`). A short reply
("Yeah, we cut it to three.") says little alone; the talk around it says what it is about.
(Held out over the 58 tuning documents, README "The head reads the talk around each sentence".)

The head is a small JSON file next to the taxonomy (`head:` in its classifier settings), written by
`cxinsight eval --train-head`. Each tactic's weights carry a fingerprint of the tactic's description and
examples: a tactic added or edited since training is scored by its centroid alone until the head is trained
again. Applying the head needs numpy only; training needs scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cxinsight.errors import ConfigError
from cxinsight.extract.discussion import DiscussionReader
from cxinsight.extract.episode_judge import EpisodeJudge
from cxinsight.extract.second_reading import SecondReader
from cxinsight.models import Tactic

LOW, HIGH = 0.25, 0.60  # the head's probability 0..1 is read as a cosine in this range
EXAMPLE_WEIGHT = 5.0  # a taxonomy example counts as this many labelled sentences
REGULARISATION_C = 1.0
DEFAULT_FILE = "tactic_head.json"
# What a newly trained head reads beside the sentence in context: "own", the sentence's own vector, and
# "around_K", the normalised mean of the own vectors of the K sentences before it, itself and the K after it.
INPUTS = ("own", "around_5")


def head_file(taxonomy) -> Path:
    """Where the taxonomy's head lives: `head:` in its classifier settings (default tactic_head.json), relative
    to the taxonomy file."""
    name = Path(taxonomy.classifier.head or DEFAULT_FILE)
    return name if name.is_absolute() else Path(taxonomy.path or ".").parent / name


def fingerprint(tactic: Tactic) -> str:
    """What the head's weights for a tactic were trained against: its description and examples."""
    text = "\n".join([tactic.description, *tactic.examples])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class TacticHead:
    model: str
    inputs: tuple[str, ...] = ()  # what it reads beside the sentence in context (INPUTS when trained now)
    weights: dict[str, np.ndarray] = field(default_factory=dict)  # tactic id -> (dimensions x (1 + inputs),)
    biases: dict[str, float] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    trained_on: list[str] = field(default_factory=list)
    reader: DiscussionReader | None = None  # the second reading of each discussion (extract/discussion.py)
    judge: EpisodeJudge | None = None  # which tactics a text discusses (extract/episode_judge.py)
    second: SecondReader | None = None  # a second reading in the light of the first (extract/second_reading.py)

    def current(self, tactics: list[Tactic]) -> np.ndarray:
        """Per tactic: True where the head holds weights trained against the tactic as it now reads."""
        return np.array([self.fingerprints.get(t.id) == fingerprint(t) for t in tactics], dtype=bool)

    def scores(self, vectors: np.ndarray, tactics: list[Tactic]) -> np.ndarray:
        """(n, tactics) the head's probability on the cosine scale; NaN for tactics it does not hold."""
        out = np.full((len(vectors), len(tactics)), np.nan, dtype=np.float32)
        for k, tactic in enumerate(tactics):
            if self.fingerprints.get(tactic.id) == fingerprint(tactic):
                logits = vectors @ self.weights[tactic.id] + self.biases[tactic.id]
                out[:, k] = LOW + (HIGH - LOW) / (1.0 + np.exp(-logits))
        return out

    def save(self, path: Path) -> None:
        data = {"model": self.model, "inputs": list(self.inputs), "trained_on": self.trained_on, "low": LOW, "high": HIGH,
                "tactics": {tid: {"fingerprint": self.fingerprints[tid], "bias": round(self.biases[tid], 6),
                                  "weights": [round(float(x), 6) for x in w]} for tid, w in self.weights.items()}}
        if self.reader is not None:
            data["discussion_reader"] = self.reader.to_dict()
        if self.judge is not None:
            data["episode_judge"] = self.judge.to_dict()
        if self.second is not None:
            data["second_reader"] = self.second.to_dict()
        Path(path).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def load_head(path: Path, dimensions: int, model: str) -> TacticHead:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        head = TacticHead(model=str(data["model"]), inputs=tuple(data.get("inputs") or ()),
                          trained_on=list(data.get("trained_on") or []))
        if head.model != model:
            raise ValueError(f"trained on {head.model} vectors, the embedder is {model}")
        for name in head.inputs:
            _check_input(name)
        width = dimensions * (1 + len(head.inputs))
        for tid, entry in data["tactics"].items():
            weights = np.asarray(entry["weights"], dtype=np.float32)
            if weights.shape != (width,):
                raise ValueError(f"tactic '{tid}' has {weights.size} weights, its inputs from this embedder give {width}")
            head.weights[tid], head.biases[tid] = weights, float(entry["bias"])
            head.fingerprints[tid] = str(entry["fingerprint"])
        if data.get("discussion_reader"):
            head.reader = DiscussionReader.from_dict(data["discussion_reader"])
        if data.get("episode_judge"):
            head.judge = EpisodeJudge.from_dict(data["episode_judge"])
        if data.get("second_reader"):
            head.second = SecondReader.from_dict(data["second_reader"])
    except FileNotFoundError:
        raise ConfigError(path, "the classifier's head file is missing; train it with `cxinsight eval "
                                "--train-head`, or remove `head:` from the taxonomy's classifier settings") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(path, f"not a tactic head file ({exc}); train it again with `cxinsight eval --train-head`") from None
    return head


def taxonomy_head(taxonomy, embedder) -> TacticHead | None:
    """The head named in the taxonomy's classifier settings, loaded for this embedder; None if it names none."""
    if not taxonomy.classifier.head:
        return None
    return load_head(head_file(taxonomy), embedder.dimensions, embedder.name)


def labelling_fingerprint(taxonomy) -> str:
    """What an episode's tactic labels were made with: the taxonomy file and the head file it names, by content.

    Stored with each episode, so an ingest re-labels an episode whose labels an edited taxonomy or a retrained
    head would now give differently, instead of skipping it as unchanged.
    """
    digest = hashlib.sha256()
    for path in [Path(taxonomy.path)] + ([head_file(taxonomy)] if taxonomy.classifier.head else []):
        digest.update(path.read_bytes() if path.is_file() else b"")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def input_blocks(own: np.ndarray, inputs: tuple[str, ...]) -> list[np.ndarray]:
    """The vectors each of `inputs` names, per sentence (in text order), from the sentences' own vectors."""
    blocks = []
    for name in inputs:
        reach = _check_input(name)
        if reach is None:
            blocks.append(own)
            continue
        sums = np.cumsum(np.vstack([np.zeros((1, own.shape[1]), dtype=own.dtype), own]), axis=0)
        at = np.arange(len(own))
        around = sums[np.minimum(at + reach + 1, len(own))] - sums[np.maximum(at - reach, 0)]
        blocks.append(around / np.clip(np.linalg.norm(around, axis=1, keepdims=True), 1e-12, None))
    return blocks


def _check_input(name: str) -> int | None:
    """None for "own", K for "around_K"; ValueError for anything else."""
    if name == "own":
        return None
    head, _, reach = name.partition("_")
    if head == "around" and reach.isdigit():
        return int(reach)
    raise ValueError(f"unknown head input '{name}'")


def train_head(tactics: list[Tactic], example_vectors: list[np.ndarray], docs: list[tuple[np.ndarray, np.ndarray]],
               model: str, trained_on: list[str] | None = None, inputs: tuple[str, ...] = ()) -> TacticHead:
    """One balanced logistic regression per tactic. `example_vectors`: per tactic, the vectors of its
    description and examples (positives); `docs`: (sentence vectors with the `inputs` blocks after them, gold
    bool matrix over tactics) per labelled document, every sentence not labelled with a tactic being a
    negative for it. An example is read as its own context: its vector fills every block."""
    import warnings

    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    example_vectors = [np.tile(v, (1, 1 + len(inputs))) for v in example_vectors]
    X = np.vstack([*example_vectors, *(v for v, _ in docs)])
    n_examples = sum(len(v) for v in example_vectors)
    weight = np.concatenate([np.full(n_examples, EXAMPLE_WEIGHT), np.ones(len(X) - n_examples)])
    head = TacticHead(model=model, inputs=tuple(inputs), trained_on=list(trained_on or []))
    for k, tactic in enumerate(tactics):
        y = np.concatenate([*(np.full(len(v), j == k) for j, v in enumerate(example_vectors)),
                            *(gold[:, k] for _, gold in docs)])
        regression = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=2000)
        with warnings.catch_warnings(), threadpool_limits(1):  # one BLAS thread is faster at this size (regression.py)
            warnings.simplefilter("ignore")  # convergence chatter on tiny training sets
            regression.fit(X, y, sample_weight=weight)
        head.weights[tactic.id] = regression.coef_[0].astype(np.float32)
        head.biases[tactic.id] = float(regression.intercept_[0])
        head.fingerprints[tactic.id] = fingerprint(tactic)
    return head
