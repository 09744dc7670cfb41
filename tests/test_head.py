"""The classifier's learned head (extract/head.py): what it scores, what it keeps, and when it steps aside."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cxinsight.errors import ConfigError
from cxinsight.extract.head import HIGH, INPUTS, LOW, TacticHead, fingerprint, input_blocks, load_head, train_head
from cxinsight.extract.taxonomy import load_taxonomy
from cxinsight.models import Tactic
from cxinsight.util.resources import prompts_dir

TACTICS = [Tactic(id="a", name="A", description="first", examples=["one"]),
           Tactic(id="b", name="B", description="second", examples=["two"])]


def _head() -> TacticHead:
    head = TacticHead(model="m", trained_on=["corpus/gold.yaml"])
    for tactic, w, b in zip(TACTICS, ([4.0, 0.0], [0.0, 4.0]), (-1.0, 0.0)):
        head.weights[tactic.id], head.biases[tactic.id] = np.array(w, np.float32), b
        head.fingerprints[tactic.id] = fingerprint(tactic)
    return head


def test_head_scores_are_probabilities_on_the_cosine_scale():
    scores = _head().scores(np.array([[1.0, 0.0], [0.0, 0.0]], np.float32), TACTICS)
    expected = LOW + (HIGH - LOW) / (1 + np.exp(-np.array([[3.0, 0.0], [-1.0, 0.0]])))
    assert np.allclose(scores, expected, atol=1e-6)


def test_an_edited_tactic_steps_out_of_the_head_until_it_is_retrained():
    edited = [TACTICS[0], TACTICS[1].model_copy(update={"examples": ["two", "a new example"]})]
    head = _head()
    assert head.current(edited).tolist() == [True, False]
    scores = head.scores(np.ones((3, 2), np.float32), edited)
    assert not np.isnan(scores[:, 0]).any() and np.isnan(scores[:, 1]).all()


def test_head_file_round_trips_and_bad_files_are_one_line_errors(tmp_path):
    path = tmp_path / "head.json"
    _head().save(path)
    loaded = load_head(path, 2, "m")
    assert loaded.trained_on == ["corpus/gold.yaml"] and loaded.fingerprints == _head().fingerprints
    assert np.allclose(loaded.scores(np.eye(2, dtype=np.float32), TACTICS), _head().scores(np.eye(2, dtype=np.float32), TACTICS))
    with pytest.raises(ConfigError, match="embedder is other"):
        load_head(path, 2, "other")
    with pytest.raises(ConfigError, match="has 2 weights, its inputs from this embedder give 3"):
        load_head(path, 3, "m")
    with pytest.raises(ConfigError, match="missing; train it with `cxinsight eval --train-head`"):
        load_head(tmp_path / "absent.json", 2, "m")
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="not a tactic head file"):
        load_head(path, 2, "m")


def test_the_head_reads_the_talk_around_each_sentence_whoever_speaks():
    own = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]], np.float32)
    same, around = input_blocks(own, ("own", "around_1"))
    assert np.array_equal(same, own)
    # sentence 0: itself and the next; sentence 2: the one before, itself and the next (unit length)
    assert np.allclose(around[0], np.array([1, 1, 0]) / np.sqrt(2))
    assert np.allclose(around[2], np.array([0, 1, 2]) / np.sqrt(5))
    assert np.allclose(np.linalg.norm(around, axis=1), 1)


def test_a_head_with_inputs_trains_round_trips_and_refuses_what_it_cannot_read(tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(40, 2)).astype(np.float32)
    gold = np.stack([vectors[:, 0] > 0, vectors[:, 1] > 0], axis=1)
    docs = [(np.hstack([vectors, *input_blocks(vectors, ("around_2",))]), gold)]
    head = train_head(TACTICS, [np.eye(2, dtype=np.float32)[:1], np.eye(2, dtype=np.float32)[1:]], docs, "m",
                      inputs=("around_2",))
    assert head.inputs == ("around_2",) and head.weights["a"].shape == (4,)
    path = tmp_path / "head.json"
    head.save(path)
    loaded = load_head(path, 2, "m")
    assert loaded.inputs == ("around_2",)
    assert np.allclose(loaded.scores(docs[0][0], TACTICS), head.scores(docs[0][0], TACTICS), atol=1e-5)
    with pytest.raises(ConfigError, match="has 4 weights, its inputs from this embedder give 6"):
        load_head(path, 3, "m")
    path.write_text(path.read_text().replace('"around_2"', '"beyond_2"'))
    with pytest.raises(ConfigError, match="unknown head input 'beyond_2'"):
        load_head(path, 2, "m")


def test_the_shipped_head_was_trained_on_the_shipped_taxonomy_and_never_on_the_test_set():
    taxonomy = load_taxonomy()
    assert taxonomy.classifier.head and 0 < taxonomy.classifier.head_weight < 1
    data = json.loads((prompts_dir() / taxonomy.classifier.head).read_text())
    width = len(next(iter(data["tactics"].values()))["weights"])
    head = load_head(prompts_dir() / taxonomy.classifier.head, width // (1 + len(data.get("inputs") or [])), data["model"])
    assert head.current(taxonomy.tactics).all(), "tactics edited since training: run `cxinsight eval --train-head`"
    assert head.trained_on == ["corpus/gold.yaml", "corpus/devset/gold.yaml"]
    assert head.inputs == INPUTS, "the head predates what it now reads: run `cxinsight eval --train-head`"
    assert head.reader is not None, "the head file carries no discussion reader: run `cxinsight eval --train-head`"
    assert head.judge is not None, "the head file carries no episode judge: run `cxinsight eval --train-head`"
    assert head.second is not None, "the head file carries no second reader: run `cxinsight eval --train-head`"
