"""Calibration: the array scorer used by sweeps agrees with the classifier itself, and the held-out
figures (leave one episode out, leave one genre out) are really held out."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cxinsight.answer.session import Session
from cxinsight.evaluation import calibrate as cal
from cxinsight.evaluation.evaluate import _score, run_eval
from cxinsight.extract.classifier import TacticClassifier
from cxinsight.settings import load_settings

GOLD = Path(__file__).resolve().parents[1] / "corpus" / "gold.yaml"


@pytest.fixture(scope="module", autouse=True)
def fewer_seed_rules():
    """What is under test is the sweep's procedure (held out, per genre, on held-out scores), not its reach:
    growing 5 seed rules instead of 25 keeps these tests a third as long."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cal, "SEED_RULES_GROWN", 5)
        yield


@pytest.fixture(scope="module")
def calibrated(corpus_store):
    session = Session(load_settings(store=corpus_store))
    pool: list = []
    report = run_eval(session, GOLD, calibrate=True, pool=pool)
    yield session, report, pool
    session.close()


def _cases(session, pool):
    """The corpus episodes as run_eval builds them, with the scores of every scoring in the grid (the pool's)."""
    from cxinsight.evaluation.evaluate import _gold_sentences, gold_words, load_gold

    classifier = TacticClassifier(session.taxonomy, session.embedder)
    cases = []
    for (episode_id, labels), swept in zip(load_gold(GOLD)["episodes"].items(), pool, strict=True):
        episode, _ = session.archive.load_episode(episode_id)
        gold = {label["tactic"]: _gold_sentences(episode, label["quotes"])[0] for label in labels or []}
        cases.append({"episode": episode, "gold": gold, "words": gold_words(episode, labels), "scores": swept.scores,
                      "genre": ""})
    return classifier, cases


def test_array_scorer_matches_the_classifier(calibrated):
    session, _, pool = calibrated
    classifier, cases = _cases(session, pool)
    # the sweep's scores (each window embedded once) are the classifier's own under each setting
    first = cases[0]["episode"]
    assert sorted(cases[0]["scores"]) == sorted(cal.SCORINGS)
    for (w, c), scores in cases[0]["scores"].items():
        classifier.config = session.taxonomy.classifier.model_copy(update={"window": w, "context": c})
        assert np.allclose(scores, classifier.sentence_scores(first.sentences, first.meta), atol=1e-5), (w, c)
    classifier.config = session.taxonomy.classifier
    prepared = [cal.prepare(classifier, case) for case in cases]
    base = session.taxonomy.classifier
    rules = [base] + [base.model_copy(update=u) for u in (
        {"threshold": 0.35, "margin": 0.03, "min_sentences": 1},
        {"threshold": 0.30, "margin": 1.0, "min_sentences": 2, "window": 2, "context": 0.0},
        {"threshold": 0.50, "window": 1, "context": 0.0},
        {"threshold": 0.28, "margin": 1.0, "window": 3, "context": 0.0, "min_sentences": 3},
        {"grow_threshold": None, "fill_gap": 0},
        {"threshold": 0.42, "grow_threshold": 0.25, "grow_margin": 1.0, "fill_gap": 1},
    )]
    for rule in rules:
        slow = _score(classifier, cases, rule, session.taxonomy.ids)
        fast = cal.totals(cal.counts(prepared, rule))
        assert fast == {k: slow[k] for k in ("episode_level", "sentence_level", "word_level")}, rule
        assert fast["episode_level"]["tp"] > 0  # the rules find something, so the comparison means something


def test_calibration_report_is_held_out(calibrated):
    session, report, pool = calibrated
    calibration = report["calibration"]
    # The best rule in-sample is at least as good as any held-out figure of the same grid.
    best = cal.objective(calibration)
    held = cal.objective(calibration["leave_one_episode_out"])
    assert 0 < held <= best + 1e-9
    # The pool carries the corpus under its folder's name, for leave-one-genre-out across sets.
    assert len(pool) == report["episodes"] == 8 and {p.genre for p in pool} == {"corpus"}


def test_leave_one_genre_out_chooses_without_the_held_out_genre(calibrated):
    session, report, pool = calibrated
    # Two made-up genres over the corpus episodes: the first four and the last four.
    split = [replace(p, genre="a" if i < 4 else "b") for i, p in enumerate(pool)]
    base = session.taxonomy.classifier
    logo = cal.leave_one_genre_out(split, base)
    assert set(logo["genres"]) == {"a", "b"}
    for genre, other in (("a", "b"), ("b", "a")):
        chosen, _ = cal.sweep([p for p in split if p.genre == other], base)
        held = cal.totals(cal.counts([p for p in split if p.genre == genre], chosen))
        assert logo["genres"][genre]["held_out"] == held
        assert logo["genres"][genre]["shipped"] == cal.totals(cal.counts([p for p in split if p.genre == genre], base))
    pooled = logo["pooled"]["episode_level"]
    assert pooled["tp"] == sum(g["held_out"]["episode_level"]["tp"] for g in logo["genres"].values())
    # Rules are chosen on tuning documents only: with "b" marked not for tuning, only "b" can be held out,
    # by the rule chosen on "a".
    only_a = cal.leave_one_genre_out(split, base, [p.genre == "a" for p in split])
    assert set(only_a["genres"]) == {"b"}
    assert only_a["genres"]["b"]["held_out"] == logo["genres"]["b"]["held_out"]
    # Summed over the held-out genres, the shipped rules give the report's own figures.
    for level in ("episode_level", "sentence_level"):
        assert logo["pooled_shipped"][level] == report["extraction"][level]


def test_rules_are_swept_on_scores_of_a_head_that_never_saw_the_document(calibrated):
    from cxinsight.evaluation.head_training import held_out_scores

    session, report, _ = calibrated
    # run_eval alone sweeps the shipped head's scores, and says that they are in-sample (it learned the corpus)
    assert report["calibration"]["swept_in_sample"] and not report["calibration"]["head_held_out"]
    held = held_out_scores(session, [GOLD])  # what `eval --calibrate` passes
    assert sorted(held) == sorted(__import__("yaml").safe_load(GOLD.read_text())["episodes"])
    classifier = TacticClassifier(session.taxonomy, session.embedder)
    episode, _ = session.archive.load_episode("01-brightwater-cleanup")
    shipped = classifier.sentence_scores(episode.sentences, episode.meta)
    assert held["01-brightwater-cleanup"].shape == shipped.shape
    assert not np.allclose(held["01-brightwater-cleanup"], shipped, atol=1e-3)  # a head without 01 scores it otherwise
    pool: list = []
    swept = run_eval(session, GOLD, calibrate=True, pool=pool, held_out=held)
    assert swept["calibration"]["head_held_out"] and not swept["calibration"]["swept_in_sample"]
    key = cal.scoring_key(session.taxonomy.classifier)
    assert all(list(p.scores) == [key] for p in pool)
    assert np.array_equal(pool[0].scores[key], held["01-brightwater-cleanup"])
    assert swept["extraction"] == report["extraction"]  # the headline figures stay the shipped head's
    # a set the head was never trained on has nothing held out
    assert held_out_scores(session, [Path(__file__).resolve().parents[1] / "corpus" / "testset" / "gold.yaml"]) == {}
