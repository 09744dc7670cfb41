"""--executor ray: transcription and extraction fan out as Ray actor tasks; the parent commits.

Each actor loads the models once (like a --workers process) and prepares episodes; results
stream back and are committed as they arrive, so the store's commit protocol and writer
lock are unchanged. Actors read media from the path the parent gives them, so on a
multi-machine cluster the media must sit on storage every node mounts at the same path.
A task whose actor dies is recorded as failed and the batch goes on (the actor restarts
once); a re-run picks that episode up again.
"""

from __future__ import annotations

import os

MAX_IN_FLIGHT_PER_ACTOR = 2


def _forwarded_env() -> dict[str, str]:
    """Our own settings and the offline hygiene travel with the tasks to every node."""
    from cxinsight.util.offline import _OFFLINE_ENV

    env = {k: v for k, v in os.environ.items() if k.startswith("CXINSIGHT_")}
    return {**_OFFLINE_ENV, **env}


def _check_reachable(address: str) -> None:
    """Fail in seconds, not minutes: ray.init keeps retrying an address where nothing listens."""
    import socket
    from urllib.parse import urlparse

    from cxinsight.errors import UsageError

    parsed = urlparse(address if "://" in address else f"ray://{address}")
    port = parsed.port or (10001 if parsed.scheme == "ray" and "://" in address else 6379)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", port), timeout=5).close()
    except OSError as exc:
        raise UsageError(f"cannot connect to the Ray cluster at {address} ({exc.strerror or exc})") from None


def _connect(address: str | None, workers: int):
    from cxinsight.errors import UsageError

    try:
        import ray
        from ray.exceptions import RayError
    except ImportError:
        raise UsageError("--executor ray needs Ray: pip install 'cxinsight[ray]'") from None

    if ray.is_initialized():
        return ray
    if address and address != "auto":
        _check_reachable(address)
    try:
        if address:
            ray.init(address=address, log_to_driver=False, runtime_env={"env_vars": _forwarded_env()})
        else:  # a private local instance for this batch
            ray.init(num_cpus=max(workers, 1), include_dashboard=False, log_to_driver=False,
                     runtime_env={"env_vars": _forwarded_env()})
    except (ConnectionError, RuntimeError, ValueError, RayError) as exc:  # RayError: e.g. a wrong token
        raise UsageError(f"cannot connect to the Ray cluster at {address or 'a local instance'} ({exc})") from None
    return ray


def run_ray(todo, factory, settings_json: str, workers: int, commit, address: str | None = None) -> None:
    """`factory(settings_json)` builds each actor's Processor; `commit` is called in this process as results arrive."""
    ray = _connect(address, workers)
    from ray.exceptions import RayError

    @ray.remote(num_cpus=1, max_restarts=1, max_task_retries=0)
    class EpisodeWorker:
        def __init__(self, settings_json: str):
            self.processor = factory(settings_json, 1)

        def prepare(self, path: str, digest: str, episode_id: str, overrides: dict):
            return self.processor.prepare_result(path, digest, episode_id, overrides)

    actors = [EpisodeWorker.remote(settings_json) for _ in range(max(workers, 1))]
    pending: dict = {}
    turn = 0

    def drain_one() -> None:
        done, _ = ray.wait(list(pending), num_returns=1)
        seq, item = pending.pop(done[0])
        try:
            status, value = ray.get(done[0])
        except RayError as exc:  # the actor died (killed, out of memory) or its node went away
            reason = str(exc).strip().splitlines()[0][:200]
            status, value = "failed", f"{item.source}: a Ray worker died while preparing it ({reason}); re-run to retry"
        commit(seq, item, status, value)

    try:
        for seq, item, path, digest in todo:
            while len(pending) >= MAX_IN_FLIGHT_PER_ACTOR * len(actors):
                drain_one()
            actor = actors[turn % len(actors)]
            turn += 1
            pending[actor.prepare.remote(str(path), digest, item.episode_id, item.overrides)] = (seq, item)
        while pending:
            drain_one()
    finally:
        for actor in actors:
            ray.kill(actor)
        ray.shutdown()  # stops a private instance; with a cluster, just disconnects (and its log relay)
