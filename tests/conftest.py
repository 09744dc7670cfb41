"""Shared fixtures. Every test gets its own store (the user's ./.cxinsight is never touched)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "episodes"
GOLD = ROOT / "corpus" / "gold.yaml"


@pytest.fixture(autouse=True)
def isolated_store(tmp_path, monkeypatch):
    store = tmp_path / "store"
    monkeypatch.setenv("CXINSIGHT_STORE", str(store))
    monkeypatch.delenv("CXINSIGHT_TAXONOMY", raising=False)
    monkeypatch.chdir(tmp_path)
    return store


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory) -> Path:
    """The sample corpus ingested once, with the real embedder and a real Chroma store. Read-only for tests."""
    from cxinsight.pipeline import ingest
    from cxinsight.settings import load_settings

    store = tmp_path_factory.mktemp("corpus") / "store"
    report = ingest([CORPUS], load_settings(store=store))
    assert report.count("indexed") == 8, [o.detail for o in report.outcomes]
    return store


@pytest.fixture
def cli_run():
    """Run the CLI in-process; returns click's Result."""
    from click.testing import CliRunner

    from cxinsight.cli import cli

    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, list(args), obj={}, catch_exceptions=False)

    return run
