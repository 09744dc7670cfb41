"""Audio input: containers, bad media, silence, bounded memory, one model load per batch, weights."""

from __future__ import annotations

import json
import shutil
import tracemalloc
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import first_librivox_clip, text_of
from tests.media import write_media


def clip_samples() -> np.ndarray:
    from cxinsight.transcribe.audio import load_audio

    return load_audio(first_librivox_clip())


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return path


@pytest.fixture(scope="module")
def transcriber():
    from cxinsight.transcribe.transcriber import Transcriber

    return Transcriber()


@pytest.mark.parametrize("ext", [".mp3", ".m4a", ".flac", ".ogg", ".mp4"])
def test_every_container_decodes_and_transcribes(ext, tmp_path, transcriber):
    path = write_media(tmp_path / f"clip{ext}", clip_samples(), video=ext == ".mp4")
    text = text_of(transcriber.transcribe(path).transcript).lower()
    assert "dashwood" in text and "prudently" in text


def _bad_media(folder: Path) -> dict[str, str]:
    """file name -> the words its one-line error must contain."""
    good = write_media(folder / "good.mp3", clip_samples())
    (folder / "zero.wav").write_bytes(b"")
    (folder / "notes.mp3").write_text("These are my notes, not audio.\n" * 50)
    data = good.read_bytes()
    (folder / "truncated.mp3").write_bytes(data[: len(data) // 2])
    write_media(folder / "video-only.mp4", None, video=True)
    write_wav(folder / "silence.wav", np.random.default_rng(0).normal(0, 0.0005, 16000 * 20))
    return {
        "zero.wav": "empty file",
        "notes.mp3": "not a readable audio or video file",
        "truncated.mp3": "truncated",
        "video-only.mp4": "no audio track",
        "silence.wav": "no speech found",
    }


def test_bad_media_in_an_ingest_batch(tmp_path, cli_run):
    folder = tmp_path / "media"
    folder.mkdir()
    expected = _bad_media(folder)
    result = cli_run("ingest", str(folder), "--json")
    assert result.exit_code == 1
    outcomes = {Path(o["path"]).name: o for o in json.loads(result.stdout)["outcomes"]}
    assert outcomes["good.mp3"]["status"] == "indexed"
    for name, words in expected.items():
        assert outcomes[name]["status"] == "failed"
        assert name in outcomes[name]["detail"] and words in outcomes[name]["detail"], outcomes[name]
    assert "Traceback" not in result.output


def test_bad_media_with_transcribe(tmp_path, cli_run):
    folder = tmp_path / "media"
    folder.mkdir()
    expected = _bad_media(folder)
    out = tmp_path / "out"
    result = cli_run("transcribe", *(str(folder / n) for n in ["good.mp3", *expected]), "-o", str(out))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    for name, words in expected.items():
        assert [line for line in lines if name in line and words in line], (name, result.stderr)
    assert "dashwood" in (out / "good.txt").read_text().lower()
    assert (out / "silence.txt").read_text() == ""  # silence gives an empty transcript, never "Thank you."
    assert "Traceback" not in result.output


def test_unknown_model_is_a_usage_error(tmp_path, cli_run):
    clip = shutil.copy(first_librivox_clip(), tmp_path / "clip.wav")
    for command in (["transcribe", str(clip)], ["ingest", str(clip)]):
        result = cli_run(*command, "--model", "huge-v9")
        assert result.exit_code == 2
        assert "unknown --model 'huge-v9'" in result.stderr and "tiny.en" in result.stderr


def test_one_transcript_to_stdout(cli_run):
    result = cli_run("transcribe", str(first_librivox_clip()), "--format", "vtt", "--beam-size", "1")
    assert result.exit_code == 0
    assert result.stdout.startswith("WEBVTT") and "Dashwood" in result.stdout


def test_long_audio_streams_in_bounded_memory(tmp_path):
    """A 15-minute file read in 30 s chunks: peak memory is a few chunks, not the whole file."""
    from cxinsight.transcribe import audio

    unit = np.concatenate([clip_samples(), np.zeros(16000, np.float32)])
    minutes = 15
    long = write_wav(tmp_path / "long.wav", np.tile(unit, int(minutes * 60 / (len(unit) / 16000)) + 1))
    chunk_seconds = 30.0
    tracemalloc.start()
    chunks = [(c.offset, c.duration, float(np.abs(c.samples[-800:]).mean()))
              for c in audio.stream_audio(long, chunk_seconds=chunk_seconds)]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    whole_file = minutes * 60 * 16000 * 4
    chunk_bytes = (chunk_seconds + audio.SEARCH_SECONDS) * 16000 * 4
    assert len(chunks) >= 28
    print(f"peak {peak / 1e6:.1f} MB, chunk {chunk_bytes / 1e6:.1f} MB, file {whole_file / 1e6:.1f} MB")
    assert peak < 4 * chunk_bytes < whole_file / 4  # measured: about 3 chunks
    assert all(d <= chunk_seconds + audio.SEARCH_SECONDS for _, d, _ in chunks)
    for (offset, duration, tail), (next_offset, _, _) in zip(chunks, chunks[1:]):
        assert next_offset == pytest.approx(offset + duration)  # no gap, no overlap
        assert tail < 0.01  # cut inside a pause, not mid-word


def test_hallucination_filters():
    from cxinsight.transcribe.engine import SpokenSegment
    from cxinsight.transcribe.transcriber import keep_segment

    speech = [(0.0, 10.0)]
    assert keep_segment(SpokenSegment(1.0, 4.0, "We cut fourteen surveys."), speech, "")
    assert not keep_segment(SpokenSegment(20.0, 22.0, "Thank you."), speech, "")  # over silence
    assert not keep_segment(SpokenSegment(1.0, 4.0, "We cut fourteen surveys."), speech, "we cut fourteen surveys")
    assert not keep_segment(SpokenSegment(1.0, 4.0, "the the the the", compression_ratio=3.1), speech, "")
    assert not keep_segment(SpokenSegment(1.0, 4.0, "hmm", avg_logprob=-1.5, no_speech_prob=0.9), speech, "")


def test_one_model_load_per_batch_and_no_second_transcription(tmp_path, monkeypatch, cli_run):
    from cxinsight.transcribe import transcriber as transcriber_module

    loads, calls = [], []
    real_load = transcriber_module.load_engine

    def counting_load(options):
        engine = real_load(options)
        real_transcribe = engine.transcribe
        engine.transcribe = lambda *a, **k: calls.append(1) or real_transcribe(*a, **k)
        loads.append(options)
        return engine

    monkeypatch.setattr(transcriber_module, "load_engine", counting_load)
    folder = tmp_path / "batch"
    folder.mkdir()
    samples = clip_samples()
    write_media(folder / "a.mp3", samples)
    write_media(folder / "b.flac", samples[: len(samples) // 2])
    assert cli_run("ingest", str(folder)).exit_code == 0
    assert len(loads) == 1 and len(calls) == 2
    # --force re-indexes, but the transcripts kept in the store are reused: no new decoding
    assert cli_run("ingest", str(folder), "--force").exit_code == 0
    assert len(calls) == 2
    # ... unless an option that changes the transcript changed: the cache key covers beam size and language
    assert cli_run("ingest", str(folder), "--force", "--beam-size", "2").exit_code == 0
    assert len(calls) == 4
    episodes = json.loads(cli_run("episodes", "--json").stdout)["episodes"]
    assert {e["language"] for e in episodes} == {"en"}  # Whisper's language is stored and shown


def test_base_model_is_joined_once_and_loads(tmp_path, monkeypatch):
    from cxinsight.transcribe.engine import EngineOptions
    from cxinsight.transcribe.transcriber import Transcriber
    from cxinsight.transcribe.weights import resolve_weights

    monkeypatch.setenv("CXINSIGHT_CACHE", str(tmp_path / "cache"))
    weights = resolve_weights("base")
    assert (weights.ct2_dir / "model.bin").stat().st_size > 100_000_000
    assert not list(weights.ct2_dir.glob("*.tmp*"))
    result = Transcriber(EngineOptions(model="base", beam_size=1)).transcribe(first_librivox_clip())  # 7.1 s: "and mister john dashwood had then leisure..."
    assert "dashwood" in text_of(result.transcript).lower()
