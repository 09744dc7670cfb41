"""A 10-episode batch (8 transcripts + 2 synthesized audio episodes) with --workers 1 vs 2.

    python bench/batch_workers.py        (needs `make audio`)

Each run uses a fresh store, so both transcribe the audio; wall time and the
ratio are printed. On a 2-core machine two workers split the cores (1 thread each).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    audio = sorted((ROOT / "corpus" / "audio").glob("*.m*"))
    if len(audio) < 2:
        print("corpus/audio is empty: run `make audio` first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "batch"
        shutil.copytree(ROOT / "corpus" / "episodes", batch)
        for path in audio:
            shutil.copy(path, batch / f"audio-{path.name}")
        times = {}
        for workers in (1, 2):
            store = Path(tmp) / f"store-{workers}"
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "cxinsight", "--store", str(store), "ingest", str(batch),
                            "--workers", str(workers)], check=True, capture_output=True)
            times[workers] = time.perf_counter() - started
    print("10-episode batch (8 transcripts + 2 audio episodes, 13 min of audio), wall time incl. model loads")
    print(f"{'workers':>8} {'seconds':>8} {'speed-up':>9}")
    for workers, seconds in times.items():
        print(f"{workers:>8} {seconds:>8.1f} {times[1] / seconds:>8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
