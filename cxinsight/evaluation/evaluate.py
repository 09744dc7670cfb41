"""Evaluation against gold labels: tactic extraction P/R/F1 and retrieval hit@3.

`--calibrate` sweeps the classifier's threshold/margin/window and the answer
refusal threshold, and reports leave-one-episode-out figures so a threshold
chosen on the corpus is not judged only on the data it was chosen from.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from cxinsight.errors import InputError, UsageError
from cxinsight.evaluation import calibrate as cal
from cxinsight.evaluation.calibrate import SCORINGS, prf, scoring_key
from cxinsight.evaluation.words import quoted_words, word_sentences
from cxinsight.extract.classifier import TacticClassifier
from cxinsight.extract.taxonomy import ClassifierConfig
from cxinsight.sources.textfile import read_text


def load_gold(path: Path) -> dict:
    import yaml

    if not Path(path).is_file():
        raise UsageError(f"{path}: no such gold file (see corpus/gold.yaml for the format)")
    try:
        data = yaml.safe_load(read_text(Path(path)))
    except yaml.YAMLError:
        raise InputError(path, "invalid YAML in gold file") from None
    if not isinstance(data, dict) or not isinstance(data.get("episodes"), dict):
        raise InputError(path, "gold file needs an 'episodes:' mapping (and optionally 'questions:')")
    return data


def _gold_sentences(episode, quotes: list[str]) -> tuple[set[str], list[str]]:
    """The sentences each quote marks. A quote inside one sentence marks it; one that our splitter cut across
    (caption lines without punctuation, a heading glued to a paragraph) marks every sentence its words
    overlap, matched with whitespace ignored. Quotes found nowhere are returned as missing."""
    norm = {s.id: " ".join(s.text.split()) for s in episode.sentences}
    squeezed, spans, at = [], [], 0
    for sid, text in norm.items():
        flat = text.replace(" ", "")
        squeezed.append(flat)
        spans.append((at, at + len(flat), sid))
        at += len(flat)
    document = "".join(squeezed)
    found, missing = set(), []
    for quote in quotes:
        q = " ".join(quote.split())
        ids = [sid for sid, text in norm.items() if q in text]
        if not ids and (flat := q.replace(" ", "")):
            for hit in re.finditer(re.escape(flat), document):
                ids += [sid for start, end, sid in spans if start < hit.end() and hit.start() < end]
        found.update(ids) if ids else missing.append(quote)
    return found, missing


def gold_labels(episode, labels: list | None) -> tuple[dict[str, set[str]], list[str]]:
    """One gold episode's labels as sentence ids per tactic, and the quotes found in no sentence."""
    gold_map: dict[str, set[str]] = {}
    missing: list[str] = []
    for label in labels or []:
        ids, lost = _gold_sentences(episode, label.get("quotes") or [])
        gold_map[label["tactic"]] = ids
        missing += lost
    return gold_map, missing


def gold_words(episode, labels: list | None) -> dict:
    """For word-level scores (evaluation/words.py): per tactic the indices of the words its quotes cover,
    and per word its sentence's index."""
    return {"word_sentence": word_sentences(episode.sentences),
            "by_tactic": {label["tactic"]: quoted_words(episode.sentences, label.get("quotes") or []) for label in labels or []}}


def _predict(classifier, case: dict, cfg: ClassifierConfig) -> dict[str, set[str]]:
    classifier.config = cfg
    predicted: dict[str, set[str]] = defaultdict(set)
    episode = case["episode"]
    for m in classifier.mentions(episode.id, episode.sentences, case["scores"][scoring_key(cfg)], meta=episode.meta):
        predicted[m.tactic_id].update(m.sentence_ids)
    return predicted


def _score(classifier, cases: list[dict], cfg: ClassifierConfig, tactic_ids: list[str]) -> dict:
    ep = {t: [0, 0, 0] for t in tactic_ids}
    sent = {t: [0, 0, 0] for t in tactic_ids}
    word = {t: [0, 0, 0] for t in tactic_ids}
    for case in cases:
        predicted = _predict(classifier, case, cfg)
        words_of: dict[str, set[int]] = defaultdict(set)  # sentence id -> its word indices
        for w, i in enumerate(case["words"]["word_sentence"]):
            words_of[case["episode"].sentences[i].id].add(w)
        for t in tactic_ids:
            p, g = predicted.get(t, set()), case["gold"].get(t, set())
            ep[t][0] += bool(p) and bool(g)
            ep[t][1] += bool(p) and not g
            ep[t][2] += bool(g) and not p
            sent[t][0] += len(p & g)
            sent[t][1] += len(p - g)
            sent[t][2] += len(g - p)
            pw = set().union(*(words_of[sid] for sid in p))
            gw = case["words"]["by_tactic"].get(t, set())
            word[t][0] += len(pw & gw)
            word[t][1] += len(pw - gw)
            word[t][2] += len(gw - pw)
    total = lambda table: prf(*(sum(v[i] for v in table.values()) for i in range(3)))
    return {
        "episode_level": total(ep), "sentence_level": total(sent), "word_level": total(word),
        "per_tactic": {t: {"episode_level": prf(*ep[t]), "sentence_level": prf(*sent[t])} for t in tactic_ids},
    }


def _questions(session, gold: dict) -> dict:
    from cxinsight.answer.retrieve import hybrid_search
    from cxinsight.answer.session import evidence_coverage
    from cxinsight.answer.support import support

    settings = session.settings

    supports: tuple[list[float], list[float]] = ([], [])

    def passes(question: str, answerable: bool) -> bool:
        """The answer rule on what `ask` retrieves, without building an answer: similar enough and supported."""
        hits = hybrid_search(session.archive, session.embedder, question, settings)
        best = max((h.similarity for h in hits), default=0.0)
        covered = evidence_coverage(session, question, hits)
        value = support(best, covered or 0.0)
        supports[0 if answerable else 1].append(value)
        return best >= settings.min_relevance and (covered is None or value >= settings.min_support)

    rows, sims_answerable, answered = [], [], 0
    for q in gold.get("questions") or []:
        hits = hybrid_search(session.archive, session.embedder, q["question"], settings, k=3)
        wanted = set(q.get("episodes") or [])
        hit = any(h.episode_id in wanted for h in hits)
        best = max((h.similarity for h in hits), default=0.0)
        sims_answerable.append(best)
        answered += passes(q["question"], True)
        rows.append({"question": q["question"], "hit_at_3": hit, "best_similarity": round(best, 3),
                     "top_episodes": [h.episode_id for h in hits]})
    sims_unanswerable, refused = [], 0
    for question in gold.get("unanswerable") or []:
        hits = hybrid_search(session.archive, session.embedder, question, settings, k=3)
        best = max((h.similarity for h in hits), default=0.0)
        sims_unanswerable.append(best)
        refused += not passes(question, False)
    return {
        "questions": rows,
        "hit_at_3": round(sum(r["hit_at_3"] for r in rows) / len(rows), 3) if rows else None,
        "answered": answered, "answerable": len(sims_answerable),
        "refused_unanswerable": refused, "unanswerable": len(sims_unanswerable),
        "_sims": (sims_answerable, sims_unanswerable), "_supports": supports,
    }


def _ask_citations(session, gold: dict) -> dict:
    """What `ask` itself cites (not only what search ranks): hit@1, hit@3 and MRR over cited documents."""
    from cxinsight.answer.session import ask

    rows = []
    for q in gold.get("questions") or []:
        answer = ask(session, q["question"])
        cited = list(dict.fromkeys(c.episode_id for c in answer.citations))  # documents in citation order
        wanted = set(q.get("episodes") or [])
        rank = next((i for i, e in enumerate(cited, 1) if e in wanted), None)
        rows.append({"question": q["question"], "refused": answer.refused, "cited": cited[:5], "rank": rank})
    refused_unanswerable = sum(ask(session, u).refused for u in gold.get("unanswerable") or [])
    n = len(rows)
    if not n:
        return {"questions": rows}
    return {
        "questions": rows,
        "hit_at_1": round(sum(r["rank"] == 1 for r in rows) / n, 3),
        "hit_at_3": round(sum(bool(r["rank"]) and r["rank"] <= 3 for r in rows) / n, 3),
        "mrr": round(sum(1 / r["rank"] for r in rows if r["rank"]) / n, 3),
        "answered": sum(not r["refused"] for r in rows), "answerable": n,
        "refused_unanswerable": refused_unanswerable, "unanswerable": len(gold.get("unanswerable") or []),
    }


def _genre(record: dict) -> str:
    """The `genre:` of the episode's sidecar (the independent test set names one per document), else ""."""
    from cxinsight.sources.metadata import sidecar_data

    source = record.get("source_path")
    try:
        return str(sidecar_data(Path(source)).get("genre") or "") if source else ""
    except (OSError, InputError):  # moved or broken since ingest: that episode is scored without a genre
        return ""


def require_gold_episodes(gold_path: Path, gold: dict, records: dict) -> None:
    """One clear error when the store holds none of the gold episodes: scoring nothing would print zeros."""
    if gold["episodes"] and not set(gold["episodes"]) & set(records):
        folder = Path(gold_path).parent / "episodes"
        hint = f"`cxinsight ingest {folder}`" if folder.is_dir() else "ingest them"
        raise UsageError(f"{gold_path}: none of its {len(gold['episodes'])} episodes is in this store; {hint} first")


def gold_in_store(session, gold_path: Path) -> int:
    """How many of the gold file's episodes the store holds."""
    return len(set(load_gold(gold_path)["episodes"]) & set(session.archive.records()))


def head_in_sample(head, gold_path: Path) -> bool:
    """Whether the learned head was trained on this gold file (it names its sets from the project root)."""
    tail = lambda path: Path(path).resolve().parts[-2:]  # noqa: E731
    return head is not None and tail(gold_path) in {tail(p) for p in head.trained_on}


def _head_note(head, gold_path: Path) -> dict | None:
    """Which sets the learned head was trained on: on those, `eval` scores documents the head has seen."""
    return None if head is None else {"trained_on": head.trained_on, "in_sample": head_in_sample(head, gold_path),
                                      "discussion_reader": head.reader is not None,
                                      "episode_judge": head.judge is not None,
                                      "second_reader": head.second is not None}


def run_eval(session, gold_path: Path, calibrate: bool = False, pool: list | None = None,
             held_out: dict | None = None) -> dict:
    """The report for one gold file. With `calibrate`, also the best rules and held-out figures; `pool` then
    collects the episodes' score matrices for `calibrate.leave_one_genre_out` across several files.
    `held_out` (head_training.held_out_scores): per episode the learned head trained on, its scores under a
    head trained without it; rules are then swept on those, for the taxonomy's scoring only."""
    started = time.perf_counter()
    gold = load_gold(gold_path)
    taxonomy = session.taxonomy
    classifier = TacticClassifier(taxonomy, session.embedder)
    records = session.archive.records()
    require_gold_episodes(gold_path, gold, records)
    cases, warnings = [], []
    for episode_id, labels in gold["episodes"].items():
        if episode_id not in records:
            warnings.append(f"gold episode '{episode_id}' is not in the store; ingest it first")
            continue
        episode, _ = session.archive.load_episode(episode_id)
        gold_map, missing = gold_labels(episode, labels)
        warnings += [f"{episode_id}: gold quote not found: {m[:60]!r}" for m in missing]
        swept = calibrate and episode_id not in (held_out or {})  # a held-out head is scored one way only
        scorings = {scoring_key(taxonomy.classifier), *(SCORINGS if swept else ())}
        scores = classifier.scores_under(episode.sentences, episode.meta, sorted(scorings))
        cases.append({"episode": episode, "gold": gold_map, "words": gold_words(episode, labels), "scores": scores, "genre": _genre(records[episode_id]),
                      "held_out": (held_out or {}).get(episode_id)})
    tactic_ids = taxonomy.ids
    if classifier.stale_head_tactics:
        warnings.append(f"the classifier's head predates tactics {', '.join(classifier.stale_head_tactics)} as they now read: "
                        "they are scored by their centroids alone; retrain it with `cxinsight eval --train-head`")
    report = {"gold": str(gold_path), "role": str(gold.get("role") or ""), "episodes": len(cases), "config": taxonomy.classifier.model_dump(),
              "head": _head_note(classifier.head, gold_path),
              "extraction": _score(classifier, cases, taxonomy.classifier, tactic_ids), "warnings": warnings}
    genres = sorted({c["genre"] for c in cases if c["genre"]})
    if len(genres) > 1:  # each genre scored on its own, with the shipped (corpus-chosen) settings
        report["by_genre"] = {g: {"episodes": sum(c["genre"] == g for c in cases), **{
            lvl: v for lvl, v in _score(classifier, [c for c in cases if c["genre"] == g], taxonomy.classifier,
                                        tactic_ids).items() if lvl != "per_tactic"}} for g in genres}
    retrieval = _questions(session, gold)
    sims = retrieval.pop("_sims")
    supports = retrieval.pop("_supports")
    report["retrieval"] = retrieval
    report["ask"] = _ask_citations(session, gold)
    if calibrate and cases:
        key = scoring_key(taxonomy.classifier)
        prepared = [cal.prepare(classifier, case if case["held_out"] is None else {**case, "scores": {key: case["held_out"]}})
                    for case in cases]
        best_cfg, best = cal.sweep(prepared, taxonomy.classifier)
        report["calibration"] = {
            "head_held_out": any(c["held_out"] is not None for c in cases),
            "swept_in_sample": head_in_sample(classifier.head, gold_path) and any(c["held_out"] is None for c in cases),
            "best_config": best_cfg.model_dump(), "episode_level": best["episode_level"], "sentence_level": best["sentence_level"],
            # Leave one episode out: choose on the rest, score the held-out one.
            "leave_one_episode_out": cal.leave_one_out(prepared, taxonomy.classifier),
            "refusal": cal.calibrate_refusal(sims),
            "support": cal.calibrate_support(supports),
        }
        if pool is not None:  # for leave-one-genre-out across sets; a set without genres is one genre
            pool += [replace(p, genre=p.genre or Path(gold_path).parent.name or "corpus") for p in prepared]
    report["seconds"] = round(time.perf_counter() - started, 2)
    return report
