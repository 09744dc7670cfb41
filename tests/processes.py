"""Following a CLI subprocess's progress lines from a test."""

from __future__ import annotations

import subprocess
import threading
import time


def follow_until(process: subprocess.Popen, text: str, timeout: float = 300) -> tuple[list[str], threading.Thread]:
    """Collect the process's stderr lines in the background; return once a line contains `text`."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
    reader.start()
    deadline = time.time() + timeout
    while not any(text in line for line in lines):
        assert time.time() < deadline and process.poll() is None, lines
        time.sleep(0.1)
    return lines, reader
