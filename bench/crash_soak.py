"""Crash soak: SIGKILL `ingest` at random crash points, re-run it, and check the store after every round.

Each round adds one or two new transcripts to the batch folder and ingests them, with one or two
committed episodes re-written (--force) beside them, under a crash point picked at random
(CXINSIGHT_TEST_FAILPOINT=POINT:N, see cxinsight/util/failpoints.py; `any` counts every point
together). Sometimes the re-run is killed too (often in `recover`, cleaning up the first kill). Then
`ingest FOLDER` runs to the end, and the store must be whole: every transcript committed once, no
orphan rows, no duplicates, Chroma's counts equal to the records, every mention on sentences that exist,
the keyword index in line (tests/storecheck.py), an empty journal and `cxinsight doctor` clean.

The plan comes from --seed alone (printed first), and a crash point fires at the same reach every time,
so a failing round is replayed by running again with the same seed.

    python bench/crash_soak.py [--rounds 50] [--seed S] [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.storecheck: the same store oracle the tests use

CORPUS = ROOT / "corpus" / "episodes"
# How often each point is reached per episode a run writes (cleanup: before the write and after the commit).
REACHES = {"extract": 1, "cleanup": 2, "journal": 1, "index": 1, "mentions": 1, "commit": 1}
REACHES["any"] = sum(REACHES.values())


@dataclass
class Round:
    number: int
    runs: list[str] = field(default_factory=list)  # what each ingest did, for the log
    kills: int = 0
    failure: str = ""


def cx(*args: str, store: Path, failpoint: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "CXINSIGHT_STORE": str(store)}
    env.pop("CXINSIGHT_TEST_FAILPOINT", None)
    if failpoint:
        env["CXINSIGHT_TEST_FAILPOINT"] = failpoint
    return subprocess.run([sys.executable, "-m", "cxinsight", *args], capture_output=True, text=True, env=env, timeout=900, check=False)


class Soak:
    def __init__(self, work: Path, seed: int):
        self.rng = random.Random(seed)
        self.seed = seed
        self.store, self.folder = work / "store", work / "episodes"
        self.sources = sorted(p for p in CORPUS.iterdir() if p.suffix != ".yaml")
        self.copies = 0

    def add_episode(self, name: str) -> Path:
        """A corpus transcript under a new name. Trailing newlines make its bytes (content hash) its own,
        so the ingest does not skip it as the same content as an episode already stored."""
        source = self.rng.choice(self.sources)
        self.copies += 1
        target = self.folder / f"{name}-{source.stem[3:]}{source.suffix}"
        target.write_bytes(source.read_bytes() + b"\n" * self.copies)
        if source.with_suffix(".yaml").exists():
            shutil.copy(source.with_suffix(".yaml"), target.with_suffix(".yaml"))
        return target

    def transcripts(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.suffix != ".yaml")

    def seed_store(self, episodes: int = 3) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for n in range(episodes):
            self.add_episode(f"seed{n}")
        done = cx("ingest", str(self.folder), store=self.store)
        assert done.returncode == 0, done.stderr

    def killed_run(self, round_: Round, args: list[str], points: list[str], writes: int) -> bool:
        """One ingest under a random crash point; True when it was killed."""
        point = self.rng.choice(points)
        nth = 1 if point == "recover" else self.rng.randint(1, max(1, REACHES[point] * writes))
        got = cx("ingest", *args, store=self.store, failpoint=f"{point}:{nth}")
        killed = got.returncode == -9
        shown = " ".join(Path(a).stem if "/" in a else a for a in args)
        round_.runs.append(f"ingest {shown} at {point}:{nth} -> {'killed' if killed else f'exit {got.returncode}'}")
        if not killed and got.returncode != 0:
            raise AssertionError(f"an ingest under {point}:{nth} failed without being killed: {got.stderr.strip()[-500:]}")
        round_.kills += killed
        return killed

    def round(self, round_: Round) -> None:
        number = round_.number
        committed = self.transcripts()
        new = [self.add_episode(f"r{number:02d}-{k}") for k in range(self.rng.randint(1, 2))]
        forced = self.rng.sample(committed, min(len(committed), self.rng.randint(0, 2)))
        args = (["--force"] if forced else []) + [str(p) for p in sorted(new + forced)]
        killed = self.killed_run(round_, args, list(REACHES), len(new) + len(forced))
        if killed and self.rng.random() < 0.3:  # kill the re-run as well, mostly while it mends the first kill
            self.killed_run(round_, [str(self.folder)], ["recover", "recover", "any"], len(new))
        final = cx("ingest", str(self.folder), store=self.store)
        round_.runs.append(f"ingest {self.folder.name} -> exit {final.returncode}")
        if final.returncode != 0:
            raise AssertionError(f"the re-run failed: {final.stderr.strip()[-500:]}")
        self.check()

    def check(self) -> None:
        from tests.storecheck import assert_consistent

        assert_consistent(self.store, len(self.transcripts()))
        journal = self.store / "journal"
        left = sorted(p.name for p in journal.iterdir()) if journal.is_dir() else []
        assert not left, f"journal entries left: {left}"
        doctor = cx("doctor", store=self.store)
        assert doctor.returncode == 0, f"doctor: {doctor.stdout.strip()[-500:]}"


def run(work: Path, rounds: int, seed: int, log=print) -> dict:
    soak = Soak(work, seed)
    soak.seed_store()
    started, kills, checked = time.time(), 0, 0
    for number in range(1, rounds + 1):
        round_ = Round(number)
        try:
            soak.round(round_)
        except AssertionError as exc:
            round_.failure = str(exc) or exc.__class__.__name__
        kills += round_.kills
        log(f"round {number:>3}: " + "; ".join(round_.runs) + (f"  FAILED: {round_.failure}" if round_.failure else "  checks ok"))
        if round_.failure:
            return {"seed": seed, "rounds": number, "kills": kills, "checked": checked, "failed": number,
                    "failure": round_.failure, "episodes": len(soak.transcripts()), "seconds": time.time() - started}
        checked += 1
    return {"seed": seed, "rounds": rounds, "kills": kills, "checked": checked, "failed": 0, "failure": "",
            "episodes": len(soak.transcripts()), "seconds": time.time() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None, help="replay a soak (default: a new random seed, printed)")
    parser.add_argument("--work", type=Path, help="a folder for the store and episodes (default: a temporary one)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)
    work = args.work or Path(tempfile.mkdtemp(prefix="cx-soak-"))
    for old in ("store", "episodes"):
        shutil.rmtree(work / old, ignore_errors=True)
    print(f"crash soak: seed {seed}, {args.rounds} rounds, work folder {work}", flush=True)
    result = run(work, args.rounds, seed, log=lambda line: print(line, flush=True))
    print(f"\nseed {result['seed']}: {result['rounds']} rounds, {result['kills']} SIGKILLs, "
          f"{result['checked']} rounds checked clean, {result['episodes']} episodes in the store, "
          f"{result['seconds'] / 60:.1f} min")
    if result["failed"]:
        print(f"FAILED in round {result['failed']}: {result['failure']}\n"
              f"replay: python bench/crash_soak.py --rounds {result['failed']} --seed {seed} --work {work}")
        sys.exit(1)


if __name__ == "__main__":
    main()
