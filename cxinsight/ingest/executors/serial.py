"""One episode after another in this process, with the batch's own Processor."""

from __future__ import annotations


def run_serial(todo, processor, commit) -> None:
    for seq, item, path, digest in todo:
        status, value = processor.prepare_result(str(path), digest, item.episode_id, item.overrides)
        commit(seq, item, status, value)
