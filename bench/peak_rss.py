"""Run a command and print its wall time and peak resident memory (of it and its children) as JSON.

    python bench/peak_rss.py -- cxinsight ingest FILE
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: kilobytes, the largest child
    print(json.dumps({"returncode": done.returncode, "wall_s": wall, "peak_rss_mb": peak_kb / 1024,
                      "stderr_tail": done.stderr[-500:]}))


if __name__ == "__main__":
    main()
