"""Run a command and print its wall time, CPU time and peak resident memory (of it and its children) as JSON.

CPU seconds (user + system) count the work done, and hardly move when other processes share the cores,
so they compare two runs fairly on a busy machine; wall time is what a user waits.

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
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb = usage.ru_maxrss  # Linux: kilobytes, the largest child
    print(json.dumps({"returncode": done.returncode, "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
                      "peak_rss_mb": peak_kb / 1024,
                      "stderr_tail": done.stderr[-500:]}))


if __name__ == "__main__":
    main()
