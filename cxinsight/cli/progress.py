"""Batch progress: a live bar with ETA on a terminal, one plain line per file otherwise."""

from __future__ import annotations

import sys

from cxinsight.util.clock import clock


class IngestProgress:
    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._bar = None
        self._task = None
        self._total = 0
        self._done = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()
        return False

    def start(self, total: int) -> None:
        self._total = total
        if not self.enabled or total == 0:
            return
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]ingest[/bold]"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                TextColumn("{task.description}"), console=Console(stderr=True), transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("loading models…", total=total)
        else:
            print(f"ingest: {total} item(s) to check", file=sys.stderr, flush=True)

    def audio(self, path, done_seconds: float, total_seconds: float) -> None:
        """Transcription progress inside one audio file (called after each chunk)."""
        if not self.enabled:
            return
        line = f"transcribing {getattr(path, 'name', path)}: {clock(done_seconds)} of {clock(total_seconds)}"
        if self._bar is not None:
            self._bar.update(self._task, description=line)
        else:
            print(f"  {line}", file=sys.stderr, flush=True)

    def done(self, outcome) -> None:
        self._done += 1
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=f"{outcome.status}: {outcome.episode_id or outcome.path}")
        else:
            print(f"[{self._done}/{self._total}] {outcome.status:<7} {outcome.path}", file=sys.stderr, flush=True)
