"""Settings in one place: defaults < preset < CXINSIGHT_* environment < flags; bundled weights are checked."""

from __future__ import annotations

import pytest

from cxinsight.errors import UsageError
from cxinsight.settings import Settings, load_settings
from cxinsight.util.checksums import sha256_of, verify


def test_precedence_defaults_preset_environment_flags(monkeypatch):
    monkeypatch.delenv("CXINSIGHT_TOP_K", raising=False)
    assert load_settings().top_k == 5 and load_settings("thorough").top_k == 10
    monkeypatch.setenv("CXINSIGHT_TOP_K", "7")
    assert load_settings("thorough").top_k == 7  # the environment beats the preset
    assert load_settings("thorough", top_k=2).top_k == 2  # a flag beats both
    assert load_settings("thorough").whisper_model == "base"  # the rest of the preset still applies


def test_llm_server_url_from_openai_base_url_and_round_trip(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = load_settings(store=tmp_path)
    assert settings.llm_base_url == "http://127.0.0.1:9/v1" and settings.store == tmp_path
    # Workers rebuild settings from JSON: nothing is re-read from their environment.
    monkeypatch.setenv("CXINSIGHT_TOP_K", "42")
    assert Settings.model_validate_json(settings.model_dump_json()) == settings


def test_weight_checksum_verified_once_and_mismatch_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("CXINSIGHT_CACHE", str(tmp_path / "cache"))
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"weights")
    verify(weights, sha256_of(weights), "some-package")
    assert (tmp_path / "cache" / "verified-weights.json").is_file()
    weights.write_bytes(b"tampered weights")
    with pytest.raises(UsageError) as error:
        verify(weights, "0" * 64, "some-package")
    assert "does not match the pinned" in str(error.value) and "\n" not in str(error.value)
