"""--executor ray on a real local Ray cluster started by the test (`ray start --head`)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.helpers import free_port, run_checked, tail
from tests.storecheck import assert_consistent

pytest.importorskip("ray")
RAY = Path(sys.executable).parent / "ray"
EPISODES = ["02-harbourline-claims", "03-skylark-disruption", "04-northpine-advisory-board", "06-meridian-ward-rounds"]


def _ray_log_tail(temp: Path, lines: int = 30) -> str:
    """The last lines of Ray's own logs (raylet, GCS), which `ray start` does not print when it fails."""
    logs = sorted(temp.glob("session_*/logs/*.err")) + sorted(temp.glob("session_*/logs/*.out"))
    chunks = [f"--- {log.name} ---\n{tail(log.read_text(errors='replace'), lines)}" for log in logs[-4:] if log.stat().st_size]
    return "\n".join(chunks)


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory):
    """A local Ray cluster with token auth and a token made for it (never the user's ~/.ray)."""
    temp = tmp_path_factory.mktemp("ray")
    token_file = temp / "auth_token"
    token_file.write_text(secrets.token_hex(32))
    token_file.chmod(0o600)
    with pytest.MonkeyPatch.context() as env_patch:
        # Ray 2.60 secures clusters with a token; the head, the driver (each `cxinsight ingest`) and the
        # workers it starts all read this same file through RAY_AUTH_TOKEN_PATH.
        env_patch.setenv("RAY_AUTH_MODE", "token")
        env_patch.setenv("RAY_AUTH_TOKEN_PATH", str(token_file))
        env_patch.delenv("RAY_AUTH_TOKEN", raising=False)
        env_patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        port = free_port()
        start = [str(RAY), "start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
                 "--disable-usage-stats", f"--temp-dir={temp}", "--node-ip-address=127.0.0.1"]
        for attempt, timeout in enumerate((180, 360)):  # a busy 2-core machine can be slow to bring Ray up
            try:
                run_checked(start, "ray start --head", timeout=timeout, env=dict(os.environ))
                break
            except (RuntimeError, subprocess.TimeoutExpired) as failure:
                subprocess.run([str(RAY), "stop", "--force"], capture_output=True, timeout=120)
                if attempt:
                    raise RuntimeError(f"{failure}\n{_ray_log_tail(temp)}") from None
        yield f"127.0.0.1:{port}"
        subprocess.run([str(RAY), "stop", "--force"], capture_output=True, timeout=120)


def folder_of(tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / "eps"
    folder.mkdir()
    for name in names:
        for source in CORPUS.glob(f"{name}.*"):
            shutil.copy(source, folder / source.name)
    return folder


def ingest(folder: Path, store: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "CXINSIGHT_STORE": str(store), **(env or {})}
    return subprocess.run([sys.executable, "-m", "cxinsight", "ingest", str(folder), "--json", *args],
                          capture_output=True, text=True, env=full_env, timeout=900)


def summary(store: Path) -> dict:
    got = subprocess.run([sys.executable, "-m", "cxinsight", "--store", str(store), "episodes", "--json"],
                         capture_output=True, text=True, check=True)
    return {e["episode_id"]: (e["sentences"], e["mentions"], e["tactics"]) for e in json.loads(got.stdout)["episodes"]}


def test_ray_batch_gives_the_same_archive_as_local(ray_cluster, tmp_path):
    folder = folder_of(tmp_path, EPISODES[:3])
    on_ray = ingest(folder, tmp_path / "ray-store", "--executor", "ray", "--ray-address", ray_cluster, "--workers", "2")
    assert on_ray.returncode == 0, on_ray.stderr
    assert ingest(folder, tmp_path / "local-store").returncode == 0
    assert summary(tmp_path / "ray-store") == summary(tmp_path / "local-store")
    assert len(summary(tmp_path / "ray-store")) == 3
    again = ingest(folder, tmp_path / "ray-store", "--executor", "ray", "--ray-address", ray_cluster)
    assert [o["status"] for o in json.loads(again.stdout)["outcomes"]] == ["skipped"] * 3


def test_ray_worker_killed_mid_task_then_rerun_completes(ray_cluster, tmp_path):
    folder = folder_of(tmp_path, EPISODES)
    store = tmp_path / "store"
    # Each actor SIGKILLs itself on its second episode (after extraction, before sending it back).
    crashed = ingest(folder, store, "--executor", "ray", "--ray-address", ray_cluster, "--workers", "2",
                     env={"CXINSIGHT_TEST_FAILPOINT": "extract:2"})
    assert crashed.returncode == 1, crashed.stderr
    outcomes = json.loads(crashed.stdout)["outcomes"]
    failed = [o for o in outcomes if o["status"] == "failed"]
    assert failed and all("a Ray worker died" in o["detail"] and "re-run" in o["detail"] for o in failed)
    indexed = [o for o in outcomes if o["status"] == "indexed"]
    assert len(indexed) + len(failed) == 4 and indexed
    assert "Traceback" not in crashed.stderr

    rerun = ingest(folder, store, "--executor", "ray", "--ray-address", ray_cluster, "--workers", "2")
    assert rerun.returncode == 0, rerun.stderr
    statuses = [o["status"] for o in json.loads(rerun.stdout)["outcomes"]]
    assert statuses.count("skipped") == len(indexed) and statuses.count("indexed") == len(failed)
    assert_consistent(store, 4)


def test_unreachable_ray_cluster_is_a_usage_error(tmp_path):
    folder = folder_of(tmp_path, EPISODES[:1])
    result = ingest(folder, tmp_path / "store", "--executor", "ray", "--ray-address", f"127.0.0.1:{free_port()}")
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "cannot connect to the Ray cluster" in errors[0], result.stderr
