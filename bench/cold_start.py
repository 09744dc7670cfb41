"""Benchmark: where a cold `cxinsight ask` spends its time, phase by phase, in fresh processes.

Each repeat is a new Python process that runs the steps `cxinsight ask` runs, in its order, timing
each: the CLI import, chromadb's import, opening the store, loading the embedder (while the vector
index loads on another thread), the ask itself (vector query, keyword search, episode records,
answer) and closing; "process total" adds interpreter start and exit.
Prints the median of each phase per store; nothing is asserted.

    python bench/cold_start.py [STORE ...] [--repeats 5]
    (default stores: bench/.work/store-corpus and bench/.work/store-synthetic-1000 when built)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "How do CX leaders get middle managers on board?"

# The same steps, in the same order, as `cxinsight ask` (see queries.ask and cli.main).
CHILD = r"""
import json, os, sys, time
marks = [("start", time.perf_counter())]
def mark(name): marks.append((name, time.perf_counter()))
import cxinsight.cli; mark("import cli")
from cxinsight.store.chroma_import import import_chromadb
import_chromadb(); mark("import chromadb")
from cxinsight.answer import session as queries
from cxinsight.settings import load_settings
session = queries.Session(load_settings(store=sys.argv[1]))
session.archive; mark("open store")
session.archive.warm_vectors()
session.embedder.embed(["warm up"]); mark("load embedder (vector index loading beside it)")
queries.ask(session, sys.argv[2]); mark("ask (retrieve + answer)")
session.close(); mark("close")
print(json.dumps({b[0]: b[1] - a[1] for a, b in zip(marks, marks[1:])}), flush=True)
os._exit(0)
"""


def phases(store: Path, repeats: int) -> dict[str, float]:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, str(store), QUESTION], check=True, capture_output=True, text=True)
        run = json.loads(out.stdout.strip().splitlines()[-1])
        run["process total"] = time.perf_counter() - started
        runs.append(run)
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stores", nargs="*", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    work = ROOT / "bench" / ".work"
    stores = args.stores or [s for s in (work / "store-corpus", work / "store-synthetic-1000") if (s / "store.json").exists()]
    if not stores:
        sys.exit("no store to measure: run bench/scale_archive.py first, or name a store folder")
    table = {s.name: phases(s, args.repeats) for s in stores}
    names = list(next(iter(table.values())))
    print(f"\nCold ask, phase by phase (median of {args.repeats} fresh processes, seconds):")
    print("| phase | " + " | ".join(table) + " |")
    print("|---|" + "---|" * len(table))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{t[name]:.2f}" for t in table.values()) + " |")


if __name__ == "__main__":
    main()
