"""`eval --train-head`: train the classifier's head on the tuning sets, and judge it on documents it never saw.

Every document of the tuning gold files (never one whose gold says `role: test`) is scored by a head trained
on all the other documents (leave one document out), with the rule in the taxonomy, beside the centroids
alone; then the head is trained on all of them and written next to the taxonomy. The held-out figures are the
honest ones: `eval` on a tuning set with the trained head scores documents the head has seen.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from cxinsight.errors import UsageError
from cxinsight.evaluation import calibrate as cal
from cxinsight.evaluation.evaluate import gold_labels, gold_words, head_in_sample, load_gold
from cxinsight.extract.classifier import TacticClassifier, candidate_rule, label, reading_floor, seed_sentences
from cxinsight.extract.discussion import train_reader, training_rows
from cxinsight.extract.episode_judge import candidate_features, train_judge
from cxinsight.extract.head import INPUTS, head_file, taxonomy_head, train_head
from cxinsight.extract.second_reading import second_training_rows, train_second_reader


def _documents(session, classifier, gold_paths: list[Path]) -> list[dict]:
    """The tuning documents in the store: vectors, gold matrix and what `calibrate.Prepared` needs."""
    records, docs = session.archive.records(), []
    for gold_path in gold_paths:
        for episode_id, labels in load_gold(gold_path)["episodes"].items():
            if episode_id not in records:
                continue
            episode, _ = session.archive.load_episode(episode_id)
            prepared = cal.prepare(classifier, {"episode": episode, "gold": gold_labels(episode, labels)[0],
                                                "words": gold_words(episode, labels), "scores": {}, "genre": str(gold_path)})
            docs.append({"set": str(gold_path), "episode": episode, "gold": prepared.gold, "prepared": prepared,
                         "vectors": classifier.scoring_vectors(episode.sentences, episode.meta, inputs=INPUTS)})
    return docs


def _prepared(doc: dict, scores: np.ndarray, key) -> cal.Prepared:
    return replace(doc["prepared"], scores={key: scores})


def _held_out(session, tuning: list[Path]) -> tuple[list[dict], list[np.ndarray], list[np.ndarray], list]:
    """The tuning documents; per document its scores with the centroids alone and with a head trained on
    all the other documents; and the taxonomy's example vectors."""
    taxonomy, embedder = session.taxonomy, session.embedder
    classifier = TacticClassifier(taxonomy, embedder, head=None)
    docs = _documents(session, classifier, tuning)
    if len(docs) < 2:
        raise UsageError("training the head needs at least 2 labelled tuning documents in the store "
                         "(`cxinsight ingest corpus/episodes corpus/devset/episodes` first)")
    examples = [embedder.embed([t.description, *t.examples]) for t in taxonomy.tactics]
    centroid, held_out = [], []
    for i, doc in enumerate(docs):
        episode = doc["episode"]
        classifier.head = None
        centroid.append(classifier.sentence_scores(episode.sentences, vectors=doc["vectors"]))
        others = [(d["vectors"], d["gold"]) for j, d in enumerate(docs) if j != i]
        classifier.head = train_head(taxonomy.tactics, examples, others, embedder.name, inputs=INPUTS)
        held_out.append(classifier.sentence_scores(episode.sentences, vectors=doc["vectors"]))
    return docs, centroid, held_out, examples


def held_out_scores(session, gold_paths: list) -> dict[str, np.ndarray]:
    """For `eval --calibrate`: per episode of the gold files the taxonomy's head was trained on (among
    `gold_paths`), its scores under a head trained on the other documents of those files, for the taxonomy's
    own scoring (window and context); so rules are swept on scores the head did not learn from. Empty
    without a head, or when none of the files is one it was trained on."""
    head = taxonomy_head(session.taxonomy, session.embedder)
    seen = [Path(g) for g in gold_paths if head_in_sample(head, Path(g))]
    if not seen:
        return {}
    docs, _, held_out, _ = _held_out(session, seen)
    return {doc["episode"].id: scores for doc, scores in zip(docs, held_out)}


def train_and_judge(session, gold_paths: list[Path], write: bool = True) -> dict:
    started = time.perf_counter()
    taxonomy, embedder = session.taxonomy, session.embedder
    tuning = [Path(g) for g in gold_paths if str(load_gold(Path(g)).get("role") or "") != "test"]
    docs, centroid_raw, held_out_raw, examples = _held_out(session, tuning)
    rule, key = taxonomy.classifier, cal.scoring_key(taxonomy.classifier)
    centroid = [_prepared(d, s, key) for d, s in zip(docs, centroid_raw)]
    held_out = [_prepared(d, s, key) for d, s in zip(docs, held_out_raw)]
    sets = {}
    for gold in dict.fromkeys(d["set"] for d in docs):
        pick = [k for k, d in enumerate(docs) if d["set"] == gold]
        sets[gold] = {"documents": len(pick), "centroids": cal.totals(cal.counts([centroid[k] for k in pick], rule)),
                      "head_held_out": cal.totals(cal.counts([held_out[k] for k in pick], rule))}
    suggested, suggested_result = cal.sweep(held_out, rule)
    reading = _reading(docs, held_out_raw, rule)
    judging = _judging(docs, reading, held_out_raw, rule)
    first_only, read_held_out = _judged_held_out(judging, held_out, _second_held_out(docs, reading, judging), candidate_rule(rule))
    for gold, figures in sets.items():
        pick = [k for k, d in enumerate(docs) if d["set"] == gold]
        figures["first_reading_held_out"] = cal.totals(sum(first_only[k] for k in pick))
        figures["head_reader_and_judge_held_out"] = cal.totals(sum(read_held_out[k] for k in pick))
    head = train_head(taxonomy.tactics, examples, [(d["vectors"], d["gold"]) for d in docs], embedder.name,
                      trained_on=[str(g) for g in tuning], inputs=INPUTS)
    head.reader = train_reader(*_pooled(reading))
    head.judge = train_judge(*_pooled_candidates(judging))
    head.second = train_second_reader(*_pooled_second(judging))
    path = head_file(taxonomy)
    if write:
        head.save(path)
    return {"head": str(path), "written": write, "trained_on": [str(g) for g in tuning], "documents": len(docs),
            "head_weight": rule.head_weight, "head_inputs": list(INPUTS), "named_in_taxonomy": bool(taxonomy.classifier.head), "sets": sets,
            "pooled": {"centroids": cal.totals(cal.counts(centroid, rule)),
                       "head_held_out": cal.totals(cal.counts(held_out, rule)),
                       "first_reading_held_out": cal.totals(sum(first_only)),
                       "head_reader_and_judge_held_out": cal.totals(sum(read_held_out))},
            "reader_threshold": head.reader.threshold, "second_reader_threshold": head.second.threshold,
            "judge_candidates": int(sum(len(j["rows"]) for j in judging)),
            "suggested_rule": {"config": suggested.model_dump(), **suggested_result},
            "seconds": round(time.perf_counter() - started, 2)}


def _reading(docs: list[dict], scores: list[np.ndarray], rule) -> list[tuple]:
    """Per document: (its facts, its reader training rows and targets from the rule's labels on its held-out scores)."""
    out, rule = [], candidate_rule(rule)
    for doc, doc_scores in zip(docs, scores):
        facts = doc["prepared"].facts
        labels = label(doc_scores, facts.long_enough, facts.named, rule, facts.speakers)
        out.append((facts, training_rows(doc_scores, labels, facts, doc["gold"])))
    return out


def _pooled(reading: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    return np.vstack([rows for _, (rows, _) in reading]), np.concatenate([targets for _, (_, targets) in reading])


def _judging(docs: list[dict], reading: list[tuple], scores: list[np.ndarray], rule) -> list[dict]:
    """Per document, read by a discussion reader trained on all the other documents (leave one out): the
    reader, the rule's labels, seeds and reading, and the judge's candidate rows and targets."""
    out, rule = [], candidate_rule(rule)
    for i, ((facts, _), doc_scores) in enumerate(zip(reading, scores)):
        reader = train_reader(*_pooled(reading[:i] + reading[i + 1:]))
        labels = label(doc_scores, facts.long_enough, facts.named, rule, facts.speakers)
        seeds = seed_sentences(doc_scores, facts.long_enough, rule)
        read = reader.read(doc_scores, labels, facts, seeds | facts.named, reading_floor(rule))
        candidates, rows = candidate_features(doc_scores, labels, read, facts, seeds, reader)
        out.append({"scores": doc_scores, "facts": facts, "reader": reader, "labels": labels, "seeds": seeds,
                    "read": read, "rows": rows, "targets": docs[i]["gold"].any(axis=0)[candidates],
                    "second": second_training_rows(doc_scores, labels, facts, reader, docs[i]["gold"])})
    return out


def _pooled_second(judging: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    return np.vstack([j["second"][0] for j in judging]), np.concatenate([j["second"][1] for j in judging])


def _second_held_out(docs: list[dict], reading: list[tuple], judging: list[dict]) -> list:
    """Per document i, a second reader that never saw it: trained on every other document j read by a first
    reader trained without i and j (so i's labels reach it through neither reader)."""
    out = []
    for i in range(len(docs)):
        rows = []
        for j, case in enumerate(judging):
            if j != i:
                first = train_reader(*_pooled([r for k, r in enumerate(reading) if k not in (i, j)]))
                rows.append(second_training_rows(case["scores"], case["labels"], case["facts"], first, docs[j]["gold"]))
        out.append(train_second_reader(np.vstack([r for r, _ in rows]), np.concatenate([t for _, t in rows])))
    return out


def _pooled_candidates(judging: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    return np.vstack([j["rows"] for j in judging]), np.concatenate([j["targets"] for j in judging])


def _judged_held_out(judging: list[dict], held_out: list[cal.Prepared], seconds: list,
                     rule) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Counts per document with the readers and the episode judge all trained on the other documents (leave
    one out), what they do on text they never saw: (before the second reading, after it)."""
    before, after = [], []
    for i, (j, case) in enumerate(zip(judging, held_out)):
        judge = train_judge(*_pooled_candidates(judging[:i] + judging[i + 1:]))
        decided = judge.decide(j["scores"], j["labels"], j["read"], j["facts"], j["seeds"], j["reader"])
        before.append(cal.tally(case, decided))
        after.append(cal.tally(case, seconds[i].reread(j["scores"], j["labels"], j["facts"], j["reader"], decided,
                                                       j["seeds"] | j["facts"].named, reading_floor(rule))))
    return before, after
