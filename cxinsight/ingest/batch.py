"""The batch driver: locate (download), hash, skip, then prepare and commit each episode.

Models load once per batch (once per worker with --workers or Ray). A bad item is
reported and skipped; the batch goes on. Every item's fate goes to the batch log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from cxinsight.errors import CxError
from cxinsight.ingest.commit import Ingestor, IngestReport, Outcome
from cxinsight.ingest.prepare import Processor, content_hash, processor_from_json
from cxinsight.settings import Settings
from cxinsight.sources import is_audio
from cxinsight.sources.items import BatchItem, items_from_paths


def ingest(
    items: list[BatchItem],
    settings: Settings,
    force: bool = False,
    workers: int = 1,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[Outcome], None] = lambda outcome: None,
    on_audio: Callable[[Path, float, float], None] | None = None,
    sources: str = "",
    lease=None,
) -> IngestReport:
    """Ingest a batch. Downloads, hashing, skips and commits happen here; the models run here or in workers.

    `lease` is what writer_lock yielded: on a shared server each commit first confirms it still holds it.
    """
    from cxinsight.llm.providers import parse_spec
    from cxinsight.store.batchlog import BatchLog

    parse_spec(settings.llm)  # a bad --llm stops before anything is touched (exit 2)
    if items and not isinstance(items[0], BatchItem):
        items = items_from_paths([Path(p) for p in items])
    report = IngestReport()
    on_start(len(items))
    if not items:
        return report
    transcriber = None
    has_audio = any(is_audio(i.path or Path(i.url)) for i in items)
    if workers <= 1 and has_audio and settings.executor == "local":
        from cxinsight.transcribe.engine import options_from_settings
        from cxinsight.transcribe.transcriber import Transcriber

        transcriber = Transcriber(options_from_settings(settings))
        transcriber.engine  # load once, before the store is touched: a bad --model stops here (exit 2)
    elif has_audio:
        from cxinsight.transcribe.weights import resolve_weights

        resolve_weights(settings.whisper_model)  # a bad --model stops here too
    ingestor = Ingestor(settings, lease=lease)
    log = BatchLog(settings.store)
    batch = log.start(items, sources)

    failed: set[str] = set()  # episode ids whose source failed in this batch

    def finish(seq: int, outcome: Outcome) -> None:
        if outcome.status == "failed":
            failed.add(outcome.episode_id)
        log.update(batch, seq, outcome.status, outcome.detail, outcome.episode_id or None)
        report.outcomes.append(outcome)
        on_done(outcome)

    def todo():
        """Items that need work, as (seq, item, path, digest); the others are finished on the way."""
        queued: dict[str, str] = {}  # digest -> episode id, so a duplicate in one batch is indexed once
        claimed: dict[str, str] = {}  # episode id -> the source that owns it in this batch
        for seq, item in enumerate(items):
            try:
                item.note = ingestor.claim_id(item, claimed)
                path = ingestor.locate(item)
                digest = content_hash(path)
                reason = ingestor.skip_reason(item, digest, force)
                twin = queued.get(digest, item.episode_id)
                # A twin that already failed indexed nothing: this file gets its own outcome, not "skipped".
                if not reason and twin != item.episode_id and twin not in failed:
                    reason = f"same content as episode '{twin}'"
                if path.stat().st_size:  # empty files are all alike, and each fails on its own
                    queued.setdefault(digest, item.episode_id)
            except CxError as exc:
                finish(seq, Outcome(item.source, "failed", item.episode_id, str(exc)))
                continue
            if reason:
                finish(seq, Outcome(item.source, "skipped", item.episode_id, "; ".join(filter(None, [item.note, reason]))))
                continue
            yield seq, item, path, digest

    # Executors get the two halves as callables: how to make a Processor, and how to commit what it returns.
    def commit(seq: int, item: BatchItem, status: str, value) -> None:
        finish(seq, ingestor.commit_outcome(item, status, value))

    try:
        if settings.executor == "ray":
            from cxinsight.ingest.executors.ray_actors import run_ray

            run_ray(todo(), processor_from_json, settings.model_dump_json(), workers, commit, settings.ray_address)
        elif workers > 1:
            from cxinsight.ingest.executors.processes import run_parallel

            run_parallel(todo(), processor_from_json, settings.model_dump_json(), workers, commit)
        else:
            from cxinsight.ingest.executors.serial import run_serial

            run_serial(todo(), Processor(settings, transcriber=transcriber, on_audio=on_audio), commit)
        log.finish(batch)
    finally:
        log.close()
        ingestor.archive.close()
    return report
