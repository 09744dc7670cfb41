"""Benchmark: `ask` and `search` through `cxinsight serve` (warm, over HTTP) beside the CLI's cold `ask`.

For each store: a `cxinsight serve` process on a free port, asked over HTTP (httpx, one connection):
first every distinct question of corpus/gold.yaml and corpus/testset/gold.yaml once ("new": nothing of
theirs is in the server's vector cache yet, though sentences of earlier answers may be), then the 8
questions of bench/scale_archive.py repeated ("repeated"), and its searches repeated. Beside it the
same new questions through the in-process API with no cache (what a warm CLI-style call spends), and
`cxinsight ask --json` as fresh processes (cold). Stores: the sample corpus (built in --work if missing) and the synthetic archive
of bench/scale_archive.py as far as it is built. Prints a table; nothing is asserted.

    python bench/serve.py [--work bench/.work] [--repeats 5] [--cold 5]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_archive import QUESTIONS, SEARCHES, build, percentile, timed_calls  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def new_questions() -> list[str]:
    import yaml

    seen: dict[str, None] = {}
    for gold in (ROOT / "corpus" / "gold.yaml", ROOT / "corpus" / "testset" / "gold.yaml"):
        data = yaml.safe_load(gold.read_text())
        for q in data.get("questions", []) + data.get("unanswerable", []):
            seen[q["question"] if isinstance(q, dict) else q] = None
    return [q for q in seen if q not in QUESTIONS]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def p50_p95(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), percentile(values, 0.95)


def through_http(store: Path, repeats: int) -> dict:
    import httpx

    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "cxinsight", "--store", str(store), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    out: dict = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            while True:
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    if server.poll() is not None:
                        raise RuntimeError(server.stderr.read().decode()) from None
                    time.sleep(0.1)
            out["start_s"] = time.perf_counter() - started
            out["episodes"] = len(client.get("/api/episodes").json()["episodes"])
            client.get("/api/search", params={"q": SEARCHES[0]})  # the first call of each kind once, unmeasured
            client.get("/api/ask", params={"q": "warm up"})
            for name, path, queries, rounds in (("ask_new", "/api/ask", new_questions(), 1),
                                                ("ask", "/api/ask", QUESTIONS, repeats),
                                                ("search", "/api/search", SEARCHES, repeats)):
                total, app = [], []
                for _ in range(rounds):
                    for q in queries:
                        t = time.perf_counter()
                        response = client.get(path, params={"q": q})
                        total.append(time.perf_counter() - t)
                        response.raise_for_status()
                        app.append(float(response.headers["server-timing"].split("dur=")[1]) / 1000)
                out[f"{name}_http"] = p50_p95(total)
                out[f"{name}_app"] = p50_p95(app)
    finally:
        server.terminate()
        server.wait()
    return out


def start_server(store: Path):
    import httpx

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "cxinsight", "--store", str(store), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600)
    while True:
        try:
            client.get("/healthz")
            return server, client
        except httpx.TransportError:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode()) from None
            time.sleep(0.1)


def during_ingest(work: Path, clients: int = 4) -> dict:
    """Clients asking without pause while `cxinsight ingest` adds four episodes to the served store."""
    import shutil
    import threading

    import httpx

    store = work / "store-serve-during-ingest"
    shutil.rmtree(store, ignore_errors=True)
    episodes = sorted(p for p in (ROOT / "corpus" / "episodes").iterdir() if p.suffix in (".txt", ".srt", ".vtt"))
    build(store, episodes[:4], 1)
    server, first = start_server(store)
    times: list[float] = []
    errors: list[str] = []
    stop = threading.Event()

    def ask_loop(n: int) -> None:
        with httpx.Client(base_url=str(first.base_url), timeout=600) as client:
            i = n
            while not stop.is_set():
                t = time.perf_counter()
                response = client.get("/api/ask", params={"q": QUESTIONS[i % len(QUESTIONS)]})
                times.append(time.perf_counter() - t)
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {response.text[:100]}")
                i += 1

    threads = [threading.Thread(target=ask_loop, args=(n,)) for n in range(clients)]
    try:
        for thread in threads:
            thread.start()
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cxinsight", "--store", str(store), "ingest", *map(str, episodes[4:])],
                       check=True, capture_output=True)
        ingest_s = time.perf_counter() - started
        stop.set()
        for thread in threads:
            thread.join()
        seen = len(first.get("/api/episodes").json()["episodes"])
        reopened = first.get("/healthz").json()["reopened"]
    finally:
        stop.set()
        server.terminate()
        server.wait()
    return {"requests": len(times), "errors": len(errors), "first_errors": errors[:3], "latency": p50_p95(times),
            "ingest_s": ingest_s, "episodes_after": seen, "reopened": reopened}


def in_process(store: Path, repeats: int) -> dict:
    from cxinsight.answer.session import Session, ask, search
    from cxinsight.settings import load_settings

    session = Session(load_settings(store=store))
    ask(session, QUESTIONS[0])
    out = {}
    for name, fn, queries, rounds in (("search", search, SEARCHES, repeats), ("ask_new", ask, new_questions(), 1)):
        out[f"{name}_inproc"] = p50_p95(timed_calls(fn, session, queries, rounds))
    session.close()
    return out


def cold(store: Path, runs: int) -> dict:
    times = []
    for i in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cxinsight", "--store", str(store), "ask", QUESTIONS[i % len(QUESTIONS)], "--json"],
                       check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return {"ask_cold": p50_p95(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / ".work")
    parser.add_argument("--repeats", type=int, default=5, help="rounds of the 8 questions and 5 searches")
    parser.add_argument("--cold", type=int, default=5, help="cold `cxinsight ask` processes per store")
    parser.add_argument("--archive", type=Path, default=None, help="the large store  [default: WORK/store-synthetic-1000]")
    parser.add_argument("--during-ingest", action="store_true",
                        help="only: 4 clients ask without pause while an ingest adds 4 episodes to the served store")
    args = parser.parse_args()
    if args.during_ingest:
        r = during_ingest(args.work)
        print(f"\n4 clients asking through `cxinsight serve` while `cxinsight ingest` added 4 episodes ({r['ingest_s']:.0f} s): "
              f"{r['requests']} answers, {r['errors']} errors {r['first_errors'] or ''}; latency p50 {r['latency'][0]:.3f} s, "
              f"p95 {r['latency'][1]:.3f} s; the server let go of the store {r['reopened']} times and then served "
              f"{r['episodes_after']} episodes (4 before)")
        return

    stores = [("sample corpus", args.work / "store-corpus")]
    if not stores[0][1].exists():
        build(stores[0][1], [ROOT / "corpus" / "episodes"], 1)
    archive = args.archive or args.work / "store-synthetic-1000"
    if archive.exists():
        stores.append(("synthetic archive", archive))
    rows = []
    for name, store in stores:
        row = {"store": name, **through_http(store, args.repeats), **in_process(store, args.repeats), **cold(store, args.cold)}
        rows.append(row)
        print(f"measured {name}", file=sys.stderr)

    print("\nLatency in seconds, p50 / p95. HTTP: a request to `cxinsight serve` from another process (httpx, "
          "loopback); app: the server's own time (Server-Timing); in-process: the same call with no HTTP; "
          "cold: `cxinsight ask --json` as a new process.")
    print("| store | episodes | server start | search HTTP | search in-process | ask HTTP, new questions | "
          "ask app, new | ask in-process, new | ask HTTP, repeated | ask cold |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        cells = [f"{r[k][0]:.3f} / {r[k][1]:.3f}" for k in
                 ("search_http", "search_inproc", "ask_new_http", "ask_new_app", "ask_new_inproc", "ask_http", "ask_cold")]
        print(f"| {r['store']} | {r['episodes']} | {r['start_s']:.1f} s | " + " | ".join(cells) + " |")
    for r in rows:
        print(f"{r['store']}: a new question over HTTP is {r['ask_cold'][0] / r['ask_new_http'][0]:.0f}x faster than a cold "
              f"`cxinsight ask` (p50); the server's cache and HTTP together: "
              f"{1000 * (r['ask_new_http'][0] - r['ask_new_inproc'][0]):+.1f} ms against the in-process ask")
    (args.work / "serve.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
