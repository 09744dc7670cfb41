"""Shared fixtures. Every test gets its own store (the user's ./.cxinsight is never touched)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "episodes"
GOLD = ROOT / "corpus" / "gold.yaml"


# Test tiers, set per module: `unit` loads no model and starts no process (make test-fast, seconds);
# `models` runs the real tiny models in-process; `e2e` runs the CLI as processes, servers, clusters, wheels.
TIERS = {
    "unit": {"test_layout", "test_labels", "test_head", "test_discussion", "test_episode_judge", "test_second_reading", "test_names", "test_sentences", "test_sources", "test_keyword", "test_settings", "test_real_files",
             "test_voices", "test_lease", "test_download", "test_support", "test_gold", "test_people", "test_quotes",
             "test_speaker_layouts", "test_web_pages"},
    "models": {"test_extract", "test_calibrate", "test_transcribe", "test_audio_input", "test_llm", "test_writers", "test_cli",
               "test_pipeline", "test_speakers", "test_publish"},
    "e2e": {"test_batches", "test_bad_input", "test_reliability", "test_server", "test_ray", "test_startup",
            "test_wheel", "test_disk_full", "test_serve"},
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        tier = next((name for name, modules in TIERS.items() if module in modules), None)
        assert tier, f"{module}: put it in a tier in tests/conftest.py TIERS"
        item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(autouse=True)
def isolated_store(tmp_path, monkeypatch):
    store = tmp_path / "store"
    monkeypatch.setenv("CXINSIGHT_STORE", str(store))
    monkeypatch.delenv("CXINSIGHT_TAXONOMY", raising=False)
    monkeypatch.delenv("CXINSIGHT_PROMPTS", raising=False)
    monkeypatch.chdir(tmp_path)
    return store


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory) -> Path:
    """The sample corpus ingested once, with the real embedder and a real Chroma store. Read-only for tests."""
    from cxinsight.ingest.batch import ingest
    from cxinsight.settings import load_settings

    store = tmp_path_factory.mktemp("corpus") / "store"
    report = ingest([CORPUS], load_settings(store=store))
    assert report.count("indexed") == 8, [o.detail for o in report.outcomes]
    return store


@pytest.fixture(scope="session")
def festival_audio(tmp_path_factory) -> Path:
    """The first ten turns of episode 01 (about 2.5 minutes), host and guest in two festival voices, with its
    `.turns.csv` and name sidecar beside it; synthesized once. Read-only for tests."""
    sys.path.insert(0, str(ROOT / "corpus"))
    from synthesize import synthesize

    folder = tmp_path_factory.mktemp("festival")
    return synthesize(CORPUS / "01-brightwater-cleanup.txt", folder, ".mp3", max_turns=10, name="brightwater-start")


@pytest.fixture(scope="session")
def audio_and_text_store(tmp_path_factory, festival_audio) -> Path:
    """That audio (transcribed and diarized for real) and episode 02's SRT as `harbourline`, ingested once.
    A test that writes to the store copies it first (`copied_store`)."""
    from cxinsight.ingest.batch import ingest
    from cxinsight.settings import load_settings

    folder = tmp_path_factory.mktemp("audio-and-text")
    text = shutil.copy(CORPUS / "02-harbourline-claims.srt", folder / "harbourline.srt")
    store = folder / "store"
    report = ingest([festival_audio, Path(text)], load_settings(store=store))
    assert report.count("indexed") == 2, [o.detail for o in report.outcomes]
    return store


def copied_store(store: Path, into: Path) -> Path:
    """A private copy of a session store (its Chroma files and journal), for a module that writes to it."""
    return Path(shutil.copytree(store, into / "store"))


@pytest.fixture
def cli_run():
    """Run the CLI in-process; returns click's Result."""
    from click.testing import CliRunner

    from cxinsight.cli import cli

    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, list(args), obj={}, catch_exceptions=False)

    return run
