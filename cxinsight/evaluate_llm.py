"""`cxinsight eval --llm SPEC`: the offline extractor and an LLM-assisted one, side by side on the gold.

Both run the real extraction chain on the stored episodes (no store writes):
`none` = embedding classifier + grounding; the LLM run adds the LLM step.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

from cxinsight.evaluate import _gold_sentences, _prf, load_gold


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
    return {"episode_level": _prf(*ep), "sentence_level": _prf(*sent)}


def compare_extractors(session, gold_path: Path, spec: str, limit: int | None = None) -> dict:
    from cxinsight.extract.chain import build_extraction_chain
    from cxinsight.extract.llm_step import build_llm_step
    from cxinsight.llm.calls import client_for

    gold = load_gold(gold_path)
    records = session.archive.records()
    cases = []
    for episode_id, labels in list(gold["episodes"].items()):
        if episode_id in records:
            episode, _ = session.archive.load_episode(episode_id)
            cases.append((episode, {lab["tactic"]: _gold_sentences(episode, lab.get("quotes") or [])[0] for lab in labels or []}))
    cases = cases[:limit] if limit else cases
    taxonomy = session.taxonomy
    client = client_for(session.settings.model_copy(update={"llm": spec}))
    llm_step, fallbacks = build_llm_step(client, taxonomy)
    chains = {"none": build_extraction_chain(taxonomy, session.embedder),
              spec: build_extraction_chain(taxonomy, session.embedder, llm_step)}
    rows = []
    for name, chain in chains.items():
        predictions, started = [], time.perf_counter()
        for episode, _ in cases:
            predicted: dict[str, set[str]] = defaultdict(set)
            for m in chain.invoke({"episode_id": episode.id, "sentences": episode.sentences}):
                predicted[m.tactic_id].update(m.sentence_ids)
            predictions.append(predicted)
        seconds = time.perf_counter() - started
        rows.append({"extractor": name, **_score(predictions, [g for _, g in cases], taxonomy.ids),
                     "seconds_per_episode": round(seconds / max(len(cases), 1), 2),
                     "proposed_new_tactics": sum(1 for p in predictions for t in p if t.startswith("proposed:")),
                     "fallbacks": list(fallbacks) if name != "none" else []})
    return {"gold": str(gold_path), "episodes": len(cases), "extractors": rows, "llm_requests": client.calls}


def print_comparison(report: dict) -> None:
    from rich.table import Table

    from cxinsight.render import console

    table = Table(title=f"Extractors on {report['gold']} ({report['episodes']} episodes)")
    for col in ("extractor", "ep P", "ep R", "ep F1", "sent P", "sent R", "sent F1", "s/episode", "fallbacks"):
        table.add_column(col, justify="left" if col == "extractor" else "right")
    for r in report["extractors"]:
        e, s = r["episode_level"], r["sentence_level"]
        table.add_row(r["extractor"], *(f"{x:.2f}" for x in (e["precision"], e["recall"], e["f1"], s["precision"], s["recall"], s["f1"])),
                      f"{r['seconds_per_episode']:.2f}", str(len(r["fallbacks"])))
    console.print(table)
    for r in report["extractors"]:
        for reason in r["fallbacks"]:
            console.print(f"fallback: {reason}", style="yellow")
    console.print(f"LLM requests sent (not cached): {report['llm_requests']}", style="dim")
