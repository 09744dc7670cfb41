"""--workers N: episodes prepared in parallel processes, committed by the parent.

Each worker loads the models once (Whisper, embedder, extraction chain) and
returns a Prepared episode; only the parent writes to the store, so the commit
protocol and the single-writer lock stay as they are. Workers are spawned (not
forked) because the model runtimes keep threads that do not survive a fork.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

_processor = None


def _init(factory, settings_json: str, threads: int) -> None:
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)  # share the cores instead of each worker taking all of them
    global _processor
    _processor = factory(settings_json, threads)


def _prepare(path: str, digest: str, episode_id: str, overrides: dict):
    return _processor.prepare_result(path, digest, episode_id, overrides)


def run_parallel(todo, factory, settings_json: str, workers: int, commit) -> None:
    """`factory(settings_json, threads)` builds each worker's Processor (a module-level function: it is pickled)."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init, initargs=(factory, settings_json, threads))
    pending: dict = {}

    def drain(block_until) -> None:
        done, _ = wait(list(pending), return_when=block_until)
        for future in done:
            seq, item = pending.pop(future)
            try:
                status, value = future.result()
            except BrokenProcessPool:
                status, value = "failed", f"{item.source}: a worker process died (out of memory or killed); re-run to retry"
            commit(seq, item, status, value)

    try:
        for seq, item, path, digest in todo:
            while len(pending) >= 2 * workers:  # bounded: downloads and hashing stay just ahead of the workers
                drain(FIRST_COMPLETED)
            pending[pool.submit(_prepare, str(path), digest, item.episode_id, item.overrides)] = (seq, item)
        while pending:
            drain(FIRST_COMPLETED)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
