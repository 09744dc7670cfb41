"""A shared Chroma server (`chroma run`, started by the tests): ingest, search, ask, locking, faults."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.helpers import LoggedProcess, follow_until, free_port, wait_until_stopped

CHROMA = Path(sys.executable).parent / "chroma"
EPISODES = ["01-brightwater-cleanup", "02-harbourline-claims", "03-skylark-disruption", "04-northpine-advisory-board"]


class ChromaServer:
    def __init__(self, path: Path):
        self.path, self.port = path, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: LoggedProcess | None = None

    def start(self) -> None:
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        self.server = LoggedProcess([str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                     "--port", str(self.port)], "chroma run", env=env)
        self.server.wait_for_http(f"{self.url}/api/v2/heartbeat", timeout=60)

    def kill(self) -> None:
        if self.server:
            self.server.stop(kill=True)


@pytest.fixture
def server(tmp_path):
    chroma = ChromaServer(tmp_path / "server-data")
    chroma.start()
    yield chroma
    chroma.kill()


def episodes_folder(tmp_path: Path, names=EPISODES) -> Path:
    folder = tmp_path / "eps"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        for source in CORPUS.glob(f"{name}.*"):
            shutil.copy(source, folder / source.name)
    return folder


def cx(*args: str, cache: Path, url: str, **env: str) -> subprocess.Popen:
    env = {**os.environ, "CXINSIGHT_STORE": str(cache), "CXINSIGHT_CHROMA_URL": url, **env}
    return subprocess.Popen([sys.executable, "-m", "cxinsight", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def healthy(cli_run, url: str, cache: Path, episodes: int) -> None:
    report = json.loads(cli_run("--chroma-url", url, "--store", str(cache), "doctor", "--json").stdout)
    assert report["healthy"], report["findings"]
    assert report["counts"]["episodes"] == episodes


def test_ingest_search_ask_through_a_server_from_two_machines(server, tmp_path, cli_run):
    folder = episodes_folder(tmp_path, EPISODES[:2])
    producer, researcher = tmp_path / "producer-cache", tmp_path / "researcher-cache"
    result = cli_run("--chroma-url", server.url, "--store", str(producer), "ingest", str(folder), "--json")
    assert result.exit_code == 0, result.output
    assert not (producer / "chroma").exists()  # the vectors live on the server
    again = cli_run("--chroma-url", server.url, "--store", str(producer), "ingest", str(folder), "--json")
    assert [o["status"] for o in json.loads(again.stdout)["outcomes"]] == ["skipped", "skipped"]  # idempotent

    # A researcher on another machine: an empty local cache, the same server.
    hits = json.loads(cli_run("--chroma-url", server.url, "--store", str(researcher), "search", "surveys switched off",
                              "--json").stdout)["results"]
    assert hits and hits[0]["episode_id"] == "01-brightwater-cleanup"
    keyword_only = json.loads(cli_run("--chroma-url", server.url, "--store", str(researcher), "search", "Brightwater",
                                      "--json").stdout)["results"]
    assert keyword_only  # the researcher's keyword index was rebuilt from the server
    answer = json.loads(cli_run("--chroma-url", server.url, "--store", str(researcher), "ask",
                                "How many customer surveys did Brightwater switch off?", "--json").stdout)
    assert not answer["refused"] and answer["citations"][0]["episode_id"] == "01-brightwater-cleanup"
    healthy(cli_run, server.url, researcher, 2)


def test_unreachable_server_is_one_clear_line(tmp_path, cli_run):
    url = f"http://127.0.0.1:{free_port()}"
    for args in (["search", "backlog"], ["ingest", str(CORPUS / "02-harbourline-claims.srt")]):
        result = cli_run("--chroma-url", url, "--store", str(tmp_path / "cache"), *args)
        assert result.exit_code == 2
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and "cannot reach the Chroma server" in errors[0], result.stderr


def test_two_writers_on_two_machines_take_turns(server, tmp_path, cli_run):
    first = episodes_folder(tmp_path / "a", EPISODES[:2])
    second = episodes_folder(tmp_path / "b", EPISODES[2:])
    one = cx("ingest", str(first), cache=tmp_path / "cache-1", url=server.url)
    time.sleep(3)  # the first holds the lease
    two = cx("ingest", str(second), cache=tmp_path / "cache-2", url=server.url)
    out1, err1 = one.communicate(timeout=600)
    out2, err2 = two.communicate(timeout=600)
    assert one.returncode == 0 and two.returncode == 0, err1 + err2
    assert "store busy" in err2
    healthy(cli_run, server.url, tmp_path / "cache-3", 4)


def test_server_restarted_mid_batch_then_rerun_completes(server, tmp_path, cli_run, monkeypatch):
    monkeypatch.setenv("CXINSIGHT_LEASE_SECONDS", "5")  # the re-run waits out the dead writer's lease
    folder = episodes_folder(tmp_path)
    cache = tmp_path / "cache"
    writer = cx("ingest", str(folder), cache=cache, url=server.url)
    lines, reader = follow_until(writer, "] indexed")
    server.kill()  # the server goes away mid-batch
    writer.wait(timeout=300)
    reader.join(timeout=10)
    assert writer.returncode == 1, lines
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1 and server.url in errors[0] and "re-run" in errors[0], lines
    assert not any("Traceback" in line for line in lines)

    server.start()  # restarted on the same data
    result = cli_run("--chroma-url", server.url, "--store", str(cache), "ingest", str(folder), "--json")
    assert result.exit_code == 0, result.output
    statuses = [o["status"] for o in json.loads(result.stdout)["outcomes"]]
    assert statuses.count("skipped") >= 1 and statuses.count("indexed") + statuses.count("skipped") == 4
    healthy(cli_run, server.url, tmp_path / "fresh-cache", 4)


def test_a_writer_paused_past_its_lease_comes_back_and_commits_nothing(server, tmp_path, cli_run):
    """SIGSTOP a writer mid-episode past its lease, let a second writer take over, SIGCONT the first."""
    lease = {"CXINSIGHT_LEASE_SECONDS": "3"}
    # The first writer commits episode 1, then freezes with episode 2's passages written but not committed.
    paused = cx("ingest", str(episodes_folder(tmp_path / "a", EPISODES[:2])), cache=tmp_path / "cache-1",
                url=server.url, CXINSIGHT_TEST_FAILPOINT="index:2:stop", **lease)
    try:
        wait_until_stopped(paused)
        started = time.monotonic()
        taker = cx("ingest", str(episodes_folder(tmp_path / "b", EPISODES[2:])), cache=tmp_path / "cache-2",
                   url=server.url, **lease)
        out2, err2 = taker.communicate(timeout=300)
        assert taker.returncode == 0, err2
        assert f"store busy: {socket.gethostname()}:{paused.pid} is writing" in err2
        assert time.monotonic() - started >= 3  # a whole lease of silence before the takeover
    finally:
        paused.send_signal(signal.SIGCONT)
    out1, err1 = paused.communicate(timeout=300)
    assert paused.returncode == 1, err1
    errors = [line for line in err1.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: {server.url}: lost the writer lease to {socket.gethostname()}:{taker.pid}; "
                      "finished episodes are kept, re-run to resume"], err1
    assert "Traceback" not in err1

    fresh = tmp_path / "cache-3"
    healthy(cli_run, server.url, fresh, 3)  # no orphan rows of the refused commit
    listed = json.loads(cli_run("--chroma-url", server.url, "--store", str(fresh), "episodes", "--json").stdout)
    assert sorted(e["episode_id"] for e in listed["episodes"]) == [EPISODES[0], *EPISODES[2:]]
