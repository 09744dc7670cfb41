"""Benchmark: ingest the sample corpus, then time search/ask warm (in-process) and cold (fresh process).

Prints a table; nothing is asserted. Run with `make bench`. Figures are noisy on a
shared machine: compare rows of one run, not runs of different days.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "How do CX leaders get middle managers on board?",
    "What did the airline do about its legacy surveys?",
    "How do companies tie customer experience to bonuses?",
    "What is the capital of France?",
]


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    from cxinsight.answer.session import Session, ask, search
    from cxinsight.ingest.batch import ingest
    from cxinsight.settings import load_settings

    store = Path(tempfile.mkdtemp()) / "store"
    settings = load_settings(store=store)
    started = time.perf_counter()
    report = ingest([ROOT / "corpus" / "episodes"], settings)
    ingest_s = time.perf_counter() - started
    indexed = [o for o in report.outcomes if o.status == "indexed"]

    session = Session(settings)
    ask(session, QUESTIONS[0])  # warm-up: model and store loaded once
    rows = []
    for name, fn in (("search", search), ("ask", ask)):
        times = []
        for _ in range(5):
            for q in QUESTIONS:
                t = time.perf_counter()
                fn(session, q)
                times.append(time.perf_counter() - t)
        rows.append((f"{name} warm", statistics.median(times), percentile(times, 0.95), len(times)))
    cold = []
    for q in QUESTIONS[:3]:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cxinsight", "--store", str(store), "ask", q, "--json"],
                       check=True, capture_output=True)
        cold.append(time.perf_counter() - t)
    rows.append(("ask cold (new process)", statistics.median(cold), max(cold), len(cold)))
    size = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())

    print(f"ingest: {len(indexed)} episodes in {ingest_s:.1f} s "
          f"({ingest_s / max(len(indexed), 1):.2f} s/episode, includes model load)")
    print(f"store size: {size / 1e6:.1f} MB")
    print(f"{'operation':<24}{'p50 s':>8}{'p95 s':>8}{'n':>5}")
    for name, p50, p95, n in rows:
        print(f"{name:<24}{p50:>8.3f}{p95:>8.3f}{n:>5}")
    session.close()


if __name__ == "__main__":
    main()
