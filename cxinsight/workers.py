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

from cxinsight.errors import CxError, StoreError
from cxinsight.settings import Settings

_processor = None


def _init(settings_json: str, threads: int) -> None:
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)  # share the cores instead of each worker taking all of them
    from cxinsight.pipeline import Processor

    global _processor
    _processor = Processor(Settings.model_validate_json(settings_json), threads=threads)


def prepare_result(processor, path: str, digest: str, episode_id: str, overrides: dict):
    """("ok", Prepared) or ("failed", reason): what a worker of any executor sends back."""
    from pathlib import Path

    try:
        return "ok", processor.prepare(Path(path), digest, episode_id, overrides)
    except CxError as exc:  # sent back as text: our exceptions' constructors do not round-trip through pickle
        return "failed", str(exc)


def commit_result(ingestor, item, status: str, value):
    """The parent's half: commit a prepared episode (or record why it failed) and say how it went."""
    from cxinsight.pipeline import Outcome

    if status != "ok":
        return Outcome(item.source, "failed", item.episode_id, value)
    try:
        ingestor.commit(value)
        return Outcome(item.source, "indexed", item.episode_id, value.detail, value.seconds)
    except StoreError:
        raise  # the store itself failed: the batch stops here
    except CxError as exc:
        return Outcome(item.source, "failed", item.episode_id, str(exc))


def _prepare(path: str, digest: str, episode_id: str, overrides: dict):
    return prepare_result(_processor, path, digest, episode_id, overrides)


def run_parallel(todo, settings: Settings, workers: int, ingestor, finish) -> None:
    threads = max(1, (os.cpu_count() or 1) // workers)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init, initargs=(settings.model_dump_json(), threads))
    pending: dict = {}

    def drain(block_until) -> None:
        done, _ = wait(list(pending), return_when=block_until)
        for future in done:
            seq, item = pending.pop(future)
            try:
                status, value = future.result()
            except BrokenProcessPool:
                status, value = "failed", f"{item.source}: a worker process died (out of memory or killed); re-run to retry"
            finish(seq, commit_result(ingestor, item, status, value))

    try:
        for seq, item, path, digest in todo:
            while len(pending) >= 2 * workers:  # bounded: downloads and hashing stay just ahead of the workers
                drain(FIRST_COMPLETED)
            pending[pool.submit(_prepare, str(path), digest, item.episode_id, item.overrides)] = (seq, item)
        while pending:
            drain(FIRST_COMPLETED)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
