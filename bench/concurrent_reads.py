"""Benchmark: readers of an embedded store while an ingest commits into it.

READERS processes query one store continuously, search and ask in turn: first for a short idle
baseline, then while an ingest of EPISODES transcripts (the real CLI) runs into the same store. Prints
the errors, the answers citing an uncommitted episode, and reader latency (p50/p95) idle and during
the ingest. Two kinds of reader:
  session  (default) a process that loads the embedder once and then, per query, opens the store,
           searches or asks (answer.session, what the CLI calls) and closes it again, so each query
           takes the store's locks and opens Chroma afresh; latency is that whole query, and "open"
           is the part spent opening the store (waiting for a commit included);
  cli      `cxinsight search|ask --json`, a new process per query; latency is process start to exit,
           mostly interpreter start, imports and the embedder load.

An answer cites an uncommitted episode when it names an episode E (an `ask` citation or a `search`
hit) and returned (the search or ask call; for `cli`, the process) before E was committed. E's commit time is taken as the moment the ingest printed
`indexed` for E, read through a pipe: that line comes after the commit, so the count can only err
upward, and 0 means no reader saw an episode before its commit. Each cited quote must moreover be
text of E as committed in the final store, and `doctor` must find the store healthy.

    python bench/concurrent_reads.py [--readers 4] [--episodes 20] [--baseline 10] [--mode session|cli] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "episodes"
SEED = "00-seed"  # committed before the readers start, so they have something to read from the first second
QUERIES = [
    ("search", "survey dashboards"),
    ("ask", "How did they get managers on board?"),
    ("search", "complaints backlog handlers"),
    ("ask", "How did they link customer ratings to renewals?"),
    ("search", "front line authority refunds"),
    ("ask", "What did they do about failure demand?"),
]
INDEXED = re.compile(r"\[\d+/\d+\] indexed\s+(\S+)")


@dataclass
class Read:
    reader: int
    command: str
    started: float
    ended: float
    error: str = ""
    cited: list[tuple[str, str]] = field(default_factory=list)  # (episode id, quoted text)
    opening: float = float("nan")  # seconds to open the store (session readers)
    answered: float = 0.0  # when the answer returned: the query's end (session), the process's exit (cli)


def make_episodes(folder: Path, count: int) -> list[str]:
    """`count` transcripts with their metadata: the corpus's, then copies under new names. A copy gets
    trailing newlines, so its bytes (and content hash) differ and the ingest does not skip it as a duplicate."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(p for p in CORPUS.iterdir() if p.suffix != ".yaml")
    ids = []
    for i in range(count):
        source, copy = sources[i % len(sources)], i // len(sources)
        name = source.stem if copy == 0 else f"{source.stem}-copy{copy}"
        (folder / f"{name}{source.suffix}").write_bytes(source.read_bytes() + b"\n" * copy)
        if source.with_suffix(".yaml").exists():
            shutil.copy(source.with_suffix(".yaml"), folder / f"{name}.yaml")
        ids.append(name)
    return ids


def reader_env(store: Path) -> dict:
    env = {**os.environ, "CXINSIGHT_STORE": str(store)}
    env.pop("CXINSIGHT_TEST_FAILPOINT", None)
    return env


def cli(*args: str, store: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cxinsight", *args], capture_output=True, text=True,
                          env=reader_env(store), timeout=900, check=False)


def read_once(reader: int, command: str, text: str, store: Path) -> Read:
    started = time.time()
    got = cli(command, text, "--json", store=store)
    read = Read(reader, command, started, time.time())
    read.answered = read.ended
    if got.returncode != 0:
        read.error = (got.stderr.strip().splitlines() or [f"exit {got.returncode}"])[-1]
        return read
    try:
        payload = json.loads(got.stdout)
    except ValueError:
        read.error = f"not JSON: {got.stdout[:200]!r}"
        return read
    if command == "ask":
        read.cited = [(c["episode_id"], c["quote"]) for c in payload["citations"]]
    else:
        read.cited = [(r["episode_id"], r["text"]) for r in payload["results"]]
    return read


def reader_loop(reader: int, store: Path, stop: threading.Event, reads: list[Read]) -> None:
    turn = reader  # readers start at different queries, so search and ask overlap
    while not stop.is_set():
        command, text = QUERIES[turn % len(QUERIES)]
        reads.append(read_once(reader, command, text, store))
        turn += 1


def session_child(store: Path, reader: int, stop_file: Path) -> None:
    """A session reader (run in its own process): one JSON line per query on stdout."""
    from cxinsight.answer import session as queries
    from cxinsight.embed import get_embedder
    from cxinsight.settings import load_settings

    settings = load_settings(store=store)
    get_embedder().embed(["warm up"])  # once per process, as a warm server would
    turn = reader
    while not stop_file.exists():
        command, text = QUERIES[turn % len(QUERIES)]
        turn += 1
        session = queries.Session(settings)
        read = Read(reader, command, time.time(), 0.0)
        try:
            session.archive  # noqa: B018 - opening the store: its locks and Chroma's client
            read.opening = time.time() - read.started
            if command == "ask":
                read.cited = [(c.episode_id, c.quote) for c in queries.ask(session, text).citations]
            else:
                read.cited = [(h.episode_id, h.text) for h in queries.search(session, text)]
            read.answered = time.time()
        except Exception as exc:  # noqa: BLE001 - every failure is a finding, said in one line
            read.error = f"{exc.__class__.__name__}: {exc}"
        finally:
            session.close()
        read.ended = time.time()
        print(json.dumps(read.__dict__), flush=True)


def session_reader(reader: int, store: Path, stop: threading.Event, reads: list[Read]) -> None:
    stop_file = store.parent / f"stop-{reader}"
    stop_file.unlink(missing_ok=True)
    child = subprocess.Popen([sys.executable, __file__, "--child", str(store), str(reader)], text=True,
                             stdout=subprocess.PIPE, env=reader_env(store))
    threading.Thread(target=lambda: (stop.wait(), stop_file.touch()), daemon=True).start()
    for line in child.stdout:
        if not line.startswith("{"):
            continue  # anything a library printed
        data = json.loads(line)
        reads.append(Read(**{**data, "cited": [tuple(c) for c in data["cited"]]}))
    child.wait()
    if child.returncode != 0:
        reads.append(Read(reader, "process", time.time(), time.time(), error=f"reader process exit {child.returncode}"))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def committed_text(store: Path) -> dict[str, str]:
    """Each committed episode's sentences, joined as the quotes are cut from them."""
    from cxinsight.embed import MODEL_NAME
    from cxinsight.store.archive import Archive

    archive = Archive(store, MODEL_NAME)
    try:
        return {e: " ".join(s.text for s in archive.load_episode(e)[0].sentences) for e in archive.records()}
    finally:
        archive.close()


def run(work: Path, readers: int = 4, episodes: int = 20, baseline: float = 10.0, mode: str = "session") -> dict:
    """Seed a store, start the readers, ingest `episodes` transcripts under them; returns the figures."""
    store, folder = work / "store", work / "episodes"
    ids = make_episodes(folder, episodes)
    seed_folder = work / "seed"
    seed_folder.mkdir(parents=True, exist_ok=True)
    source = CORPUS / "02-harbourline-claims.srt"
    (seed_folder / f"{SEED}.srt").write_bytes(source.read_bytes() + b"\n" * 99)
    seeded = cli("ingest", str(seed_folder), store=store)
    assert seeded.returncode == 0, seeded.stderr

    reads: list[Read] = []
    stop = threading.Event()
    target = session_reader if mode == "session" else reader_loop
    loops = [threading.Thread(target=target, args=(n, store, stop, reads), daemon=True) for n in range(readers)]
    for loop in loops:
        loop.start()
    deadline = time.time() + 600
    while len({r.reader for r in reads}) < readers and time.time() < deadline:
        time.sleep(0.2)  # the baseline starts once every reader is up (models loaded)
    time.sleep(baseline)

    commits: dict[str, float] = {SEED: 0.0}
    ingest_started = time.time()
    writer = subprocess.Popen([sys.executable, "-m", "cxinsight", "ingest", str(folder)], env=reader_env(store), text=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    log = []
    for line in writer.stderr:  # one line per item, printed right after its commit
        log.append(line)
        found = INDEXED.search(line)
        if found:
            commits[Path(found.group(1)).stem] = time.time()
    writer.wait()
    ingest_ended = time.time()
    stop.set()
    for loop in loops:
        loop.join()

    texts = committed_text(store)
    doctor = cli("doctor", "--json", store=store)
    during = [r for r in reads if r.started >= ingest_started and r.ended <= ingest_ended]
    idle = [r for r in reads if r.ended <= ingest_started]
    uncommitted = [(r, e) for r in reads if not r.error for e, _ in r.cited if r.answered < commits.get(e, float("inf"))]
    not_stored = [(r, e, q) for r in reads if not r.error for e, q in r.cited if q not in texts.get(e, "")]

    def latency(group: list[Read], command: str | None = None, part: str = "whole") -> tuple[float, float, float, int]:
        seconds = [r.opening if part == "open" else r.ended - r.started
                   for r in group if not r.error and command in (None, r.command)]
        return percentile(seconds, 0.5), percentile(seconds, 0.95), max(seconds, default=float("nan")), len(seconds)

    return {
        "readers": readers, "mode": mode, "episodes": episodes, "ingest_exit": writer.returncode, "ingest_seconds": ingest_ended - ingest_started,
        "committed": len(commits) - 1, "expected": len(ids), "reads": len(reads), "reads_during_ingest": len(during),
        "errors": [r.error for r in reads if r.error],
        "uncommitted_citations": [f"{r.command} by reader {r.reader} cited {e}" for r, e in uncommitted],
        "citations_checked": sum(len(r.cited) for r in reads if not r.error),
        "citations_not_in_store": [f"{e}: {q[:60]!r}" for _, e, q in not_stored],
        "doctor_healthy": doctor.returncode == 0,
        # How many commits finished while one reader was opening the store (waiting for the lock included).
        "most_commits_in_one_open": max((sum(r.started <= t <= r.started + r.opening for t in commits.values())
                                         for r in during if not math.isnan(r.opening)), default=0),
        "latency": {name: latency(group, command, part) for name, group, command, part in (
            ("idle, all", idle, None, "whole"), ("ingest, all", during, None, "whole"),
            ("ingest, search", during, "search", "whole"), ("ingest, ask", during, "ask", "whole"),
            ("idle, open", idle, None, "open"), ("ingest, open", during, None, "open"))
            if mode == "session" or part == "whole"},
        "ingest_log_tail": log[-3:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--baseline", type=float, default=10.0, help="seconds of reading before the ingest starts")
    parser.add_argument("--mode", choices=("session", "cli"), default="session", help="the kind of reader (see above)")
    parser.add_argument("--work", type=Path, help="a folder for the store and episodes (default: a temporary one)")
    parser.add_argument("--child", nargs=2, metavar=("STORE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        session_child(Path(args.child[0]), int(args.child[1]), Path(args.child[0]).parent / f"stop-{args.child[1]}")
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="cx-concurrent-"))
    if (work / "store").exists():
        shutil.rmtree(work / "store")
    result = run(work, args.readers, args.episodes, args.baseline, args.mode)

    print(f"{result['readers']} {result['mode']} readers, ingest of {result['episodes']} transcripts: exit {result['ingest_exit']}, "
          f"{result['committed']}/{result['expected']} committed in {result['ingest_seconds']:.1f} s")
    print(f"reads: {result['reads']} ({result['reads_during_ingest']} during the ingest), "
          f"citations checked: {result['citations_checked']}")
    print(f"errors: {len(result['errors'])}  uncommitted citations: {len(result['uncommitted_citations'])}  "
          f"citations not in the committed store: {len(result['citations_not_in_store'])}  "
          f"doctor: {'healthy' if result['doctor_healthy'] else 'PROBLEMS'}")
    if result["mode"] == "session":
        print(f"most commits that finished while one reader was opening the store: {result['most_commits_in_one_open']}")
    print(f"\n{'reader latency (s)':<20} {'p50':>6} {'p95':>6} {'max':>6} {'n':>5}")
    for name, (p50, p95, most, n) in result["latency"].items():
        print(f"{name:<20} {p50:>6.2f} {p95:>6.2f} {most:>6.2f} {n:>5}")
    for line in (result["errors"] + result["uncommitted_citations"] + result["citations_not_in_store"])[:10]:
        print(f"  ! {line}")


if __name__ == "__main__":
    main()
