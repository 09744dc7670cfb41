"""`cxinsight eval --llm SPEC`: the offline extractor and an LLM-assisted one, side by side on the gold.

Both run the real extraction chain on the stored episodes (no store writes):
`none` = embedding classifier + grounding; the LLM run adds the LLM step.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

from cxinsight.evaluation.calibrate import prf
from cxinsight.evaluation.evaluate import _gold_sentences, load_gold, require_gold_episodes


def _score(predictions: list[dict[str, set[str]]], golds: list[dict[str, set[str]]], tactic_ids: list[str]) -> dict:
    ep, sent = [0, 0, 0], [0, 0, 0]
    for predicted, gold in zip(predictions, golds):
        for t in tactic_ids:
            p, g = predicted.get(t, set()), gold.get(t, set())
            ep[0] += bool(p) and bool(g)
            ep[1] += bool(p) and not g
            ep[2] += bool(g) and not p
            sent[0] += len(p & g)
            sent[1] += len(p - g)
            sent[2] += len(g - p)
    return {"episode_level": prf(*ep), "sentence_level": prf(*sent)}


def compare_extractors(session, gold_path: Path, spec: str, limit: int | None = None) -> dict:
    from cxinsight.extract.chain import build_extraction_chain
    from cxinsight.llm.calls import client_for

    gold = load_gold(gold_path)
    records = session.archive.records()
    require_gold_episodes(gold_path, gold, records)
    cases = []
    for episode_id, labels in list(gold["episodes"].items()):
        if episode_id in records:
            episode, _ = session.archive.load_episode(episode_id)
            cases.append((episode, {lab["tactic"]: _gold_sentences(episode, lab.get("quotes") or [])[0] for lab in labels or []}))
    cases = cases[:limit] if limit else cases
    taxonomy = session.taxonomy
    client = client_for(session.settings.model_copy(update={"llm": spec}))
    chains = {"none": build_extraction_chain(taxonomy, session.embedder),
              spec: build_extraction_chain(taxonomy, session.embedder, client)}
    rows = []
    for name, chain in chains.items():
        predictions, fallbacks, started = [], [], time.perf_counter()
        for episode, _ in cases:
            predicted: dict[str, set[str]] = defaultdict(set)
            extraction = chain.invoke({"episode_id": episode.id, "sentences": episode.sentences, "meta": episode.meta})
            for m in extraction.mentions:
                predicted[m.tactic_id].update(m.sentence_ids)
            if extraction.llm_fallback:
                fallbacks.append(f"{episode.id}: {extraction.llm_fallback}")
            predictions.append(predicted)
        seconds = time.perf_counter() - started
        rows.append({"extractor": name, **_score(predictions, [g for _, g in cases], taxonomy.ids),
                     "seconds_per_episode": round(seconds / max(len(cases), 1), 2),
                     "proposed_new_tactics": sum(1 for p in predictions for t in p if t.startswith("proposed:")),
                     "fallbacks": fallbacks})
    return {"gold": str(gold_path), "episodes": len(cases), "extractors": rows, "llm_requests": client.calls}
