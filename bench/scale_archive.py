"""Benchmark: a 1,000-episode archive (about 150k passages) built through `cxinsight ingest`,
then search and ask latency, warm (in-process, repeated) and cold (a fresh `cxinsight` process),
and the store's size on disk. The sample corpus store is measured beside it as the baseline.

The archive is kept in --work between runs; a re-run resumes the ingest (already indexed
episodes are skipped) and measures again. Prints a table; nothing is asserted.

    python bench/scale_archive.py [--episodes 1000] [--workers 2] [--work bench/.work]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_archive import write_archive  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "How do CX leaders get middle managers on board?",
    "What did they do about old surveys nobody read?",
    "How do companies tie customer experience to bonuses?",
    "How did they clear the complaints backlog?",
    "Why should HR own part of the customer experience?",
    "What is the capital of France?",
    "How do front-line staff get authority to fix problems?",
    "What changed after they mapped the customer journey?",
]
SEARCHES = ["complaints backlog", "middle managers coaching", "survey dashboards", "hiring for empathy", "board advisory panel"]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def build(store: Path, sources: list[Path], workers: int) -> dict:
    cmd = [sys.executable, str(ROOT / "bench" / "peak_rss.py"), "--", sys.executable, "-m", "cxinsight", "--store", str(store),
           "ingest", *map(str, sources), "--workers", str(workers)]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def timed_calls(fn, session, queries: list[str], rounds: int) -> list[float]:
    """Seconds of each fn(session, query), the queries asked `rounds` times over."""
    times = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            fn(session, q)
            times.append(time.perf_counter() - t)
    return times


def latency(store: Path, repeats: int) -> dict:
    from cxinsight.answer.session import Session, ask, search
    from cxinsight.settings import load_settings

    session = Session(load_settings(store=store))
    t = time.perf_counter()
    ask(session, QUESTIONS[0])
    first = time.perf_counter() - t  # opening the store and loading the models, in this process
    out = {"first_ask_s": first, "episodes": len(session.archive.records()), "passages": session.archive.passages.count()}
    for name, fn, queries in (("search", search, SEARCHES), ("ask", ask, QUESTIONS)):
        times = timed_calls(fn, session, queries, repeats)
        out[f"{name}_warm"] = (statistics.median(times), percentile(times, 0.95))
    session.close()
    out["size_mb"] = sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / 1e6
    return out


def cold_latency(stores: list[Path], repeats: int) -> list[dict]:
    """`cxinsight ask|search --json` as fresh processes, the stores taking turns so that a noisy
    spell on a shared machine hits both alike."""
    times: list[dict] = [{"ask": [], "search": []} for _ in stores]
    for _ in range(repeats):
        for name, queries in (("ask", QUESTIONS[:5]), ("search", SEARCHES)):
            for q in queries:
                for i, store in enumerate(stores):
                    t = time.perf_counter()
                    subprocess.run([sys.executable, "-m", "cxinsight", "--store", str(store), name, q, "--json"],
                                   check=True, capture_output=True)
                    times[i][name].append(time.perf_counter() - t)
    return [{f"{k}_cold": (statistics.median(v), percentile(v, 0.95)) for k, v in t.items()} for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--sentences", type=int, default=300, help="sentences per synthetic episode")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / ".work")
    parser.add_argument("--measure-only", action="store_true", help="measure the archive as far as it is built")
    args = parser.parse_args()

    baseline = args.work / "store-corpus"
    if not baseline.exists():
        build(baseline, [ROOT / "corpus" / "episodes"], 1)
    folder = args.work / "synthetic"
    write_archive(folder, args.episodes, args.sentences)
    store = args.work / f"store-synthetic-{args.episodes}"
    built = {}
    if not args.measure_only:
        started = time.perf_counter()
        built = build(store, [folder], args.workers)
        print(f"ingest of {args.episodes} synthetic episodes: {time.perf_counter() - started:.0f} s "
              f"(peak RSS {built['peak_rss_mb']:.0f} MB; episodes already indexed are skipped)", file=sys.stderr)

    rows = [("sample corpus", latency(baseline, args.repeats)), ("synthetic archive", latency(store, args.repeats))]
    for (_, row), cold in zip(rows, cold_latency([baseline, store], args.repeats)):
        row.update(cold)
    base = rows[0][1]
    print("\nSearch and ask latency (seconds; p50 / p95). Warm: in-process, repeated; cold: a fresh `cxinsight` process.")
    print("| store | episodes | passages | size on disk | search warm | ask warm | search cold | ask cold |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        cells = [f"{r[k][0]:.3f} / {r[k][1]:.3f}" for k in ("search_warm", "ask_warm", "search_cold", "ask_cold")]
        print(f"| {name} | {r['episodes']} | {r['passages']} | {r['size_mb']:.0f} MB | " + " | ".join(cells) + " |")
    big = rows[1][1]
    print(f"\nratio archive / corpus (p50): search warm {big['search_warm'][0] / base['search_warm'][0]:.1f}x, "
          f"ask warm {big['ask_warm'][0] / base['ask_warm'][0]:.1f}x, ask cold {big['ask_cold'][0] / base['ask_cold'][0]:.1f}x")
    (args.work / "scale_archive.json").write_text(json.dumps({"corpus": base, "archive": big, "ingest": built}))


if __name__ == "__main__":
    main()
