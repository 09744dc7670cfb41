"""Whisper transcription with the real bundled models: accuracy, agreement, timing, converter, formats.

Real human speech comes from Debian's pocketsphinx-testdata (LibriVox clips with
reference transcripts); the interview is synthesized with festival (two voices),
and its turns.csv says when each line is spoken.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import CORPUS, ROOT
from tests.helpers import librivox_clips, text_of

# Measured on these 5 clips (71 words): faster-whisper tiny.en int8 beam 5 = 0.056, openai-whisper = 0.042.
LIBRIVOX_WER_BOUND = 0.10


def _normalizer():
    from whisper.normalizers import EnglishTextNormalizer

    return EnglishTextNormalizer()


def wer(references: list[str], hypotheses: list[str]) -> float:
    import jiwer

    norm = _normalizer()
    return jiwer.wer([norm(r) for r in references], [norm(h) for h in hypotheses])


@pytest.fixture(scope="session")
def interview(tmp_path_factory) -> tuple[Path, list[dict]]:
    """About 80 s of a two-voice interview (turns 5-8 of episode 01) as MP3, with its answer key."""
    sys.path.insert(0, str(ROOT / "corpus"))
    from synthesize import _turns, synthesize

    folder = tmp_path_factory.mktemp("interview")
    turns = _turns(CORPUS / "01-brightwater-cleanup.txt")[4:8]
    source = folder / "src" / "brightwater-excerpt.txt"
    source.parent.mkdir()
    source.write_text("\n\n".join(f"{speaker}: {text}" for speaker, text in turns), encoding="utf-8")
    source.with_suffix(".yaml").write_text(
        'title: "Brightwater excerpt"\nguest: "Marisol Okafor-Lind"\nhost: "Hannah Kessler-Moyo"\n'
        'url: "https://example.com/ep1"\n', encoding="utf-8")
    audio = synthesize(source, folder / "audio", ".mp3")
    with open(audio.with_name(f"{audio.stem}.turns.csv"), encoding="utf-8") as handle:
        rows = [{**r, "start": float(r["start"]), "end": float(r["end"])} for r in csv.DictReader(handle)]
    return audio, rows


@pytest.fixture(scope="session")
def faster_result(interview):
    from cxinsight.transcribe.engine import EngineOptions
    from cxinsight.transcribe.transcriber import Transcriber

    return Transcriber(EngineOptions(engine="faster-whisper")).transcribe(interview[0])


@pytest.fixture(scope="session")
def openai_result(interview):
    from cxinsight.transcribe.engine import EngineOptions
    from cxinsight.transcribe.transcriber import Transcriber

    return Transcriber(EngineOptions(engine="openai-whisper")).transcribe(interview[0])


def test_converted_checkpoint_encoder_matches_ctranslate2(tmp_path, monkeypatch):
    import ctranslate2
    import torch
    import whisper

    from cxinsight.transcribe.audio import load_audio
    from cxinsight.transcribe.convert import converted_checkpoint, load_openai_model
    from cxinsight.transcribe.weights import resolve_weights

    monkeypatch.setenv("CXINSIGHT_CACHE", str(tmp_path / "cache"))  # convert for real, not from a cache
    weights = resolve_weights("tiny.en")
    checkpoint = converted_checkpoint(weights.ct2_dir, weights.name)
    assert checkpoint.is_relative_to(tmp_path)
    model = load_openai_model(checkpoint)
    assert (model.dims.n_audio_layer, model.dims.n_text_layer, model.dims.n_vocab) == (4, 4, 51864)
    assert int(model.alignment_heads.to_dense().sum()) == 8  # from config.json, for word timestamps

    clip = next(iter(librivox_clips()))
    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(torch.from_numpy(load_audio(clip))))[None]
    with torch.no_grad():
        ours = model.encoder(mel).numpy()
    ct2 = ctranslate2.models.Whisper(str(weights.ct2_dir), device="cpu", compute_type="float32")
    reference = np.array(ct2.encode(ctranslate2.StorageView.from_array(mel.numpy().astype(np.float32))))
    assert ours.shape == reference.shape == (1, 1500, 384)
    assert np.abs(ours - reference).max() < 1e-3


def test_default_engine_wer_on_real_human_speech():
    from cxinsight.transcribe.transcriber import Transcriber

    transcriber = Transcriber()
    clips = librivox_clips()
    hypotheses = [text_of(transcriber.transcribe(path).transcript) for path in clips]
    assert transcriber.label == "faster-whisper:tiny.en"
    assert wer(list(clips.values()), hypotheses) <= LIBRIVOX_WER_BOUND


def test_both_engines_transcribe_the_interview_and_agree(interview, faster_result, openai_result):
    _, turns = interview
    script = " ".join(t["text"] for t in turns)
    fast, reference = text_of(faster_result.transcript), text_of(openai_result.transcript)
    assert faster_result.transcript.source_format == "whisper:faster-whisper:tiny.en"
    assert openai_result.transcript.source_format == "whisper:openai-whisper:tiny.en"
    assert wer([reference], [fast]) <= 0.10  # the two engines agree closely
    for hypothesis in (fast, reference):
        assert wer([script], [hypothesis]) <= 0.25  # synthetic voices mangle some names; the rest is right
    assert "surveys" in fast and "backlog" in fast


def test_word_timestamps_fall_inside_spoken_turns(interview, faster_result, openai_result):
    _, turns = interview
    for result in (faster_result, openai_result):
        words = [w for s in result.transcript.segments for w in (s.words or [])]
        assert len(words) > 150
        starts = [w.start for w in words]
        assert starts == sorted(starts)
        inside = [any(t["start"] - 0.5 <= (w.start + w.end) / 2 <= t["end"] + 0.5 for t in turns) for w in words]
        assert sum(inside) / len(inside) >= 0.97  # words land in turns, not in the pauses between them


def test_transcribe_ingest_ask_cites_the_guest_by_name_at_the_moment_spoken(interview, cli_run):
    """Audio with a sidecar: voices are named from it, [1] is the guest's line, no citation is a host question."""
    from cxinsight.text.sentences import is_question

    audio, turns = interview
    result = cli_run("ingest", str(audio))
    assert result.exit_code == 0, result.output
    result = cli_run("ask", "How big was the complaints backlog?", "--json")
    payload = json.loads(result.output)
    assert not payload["refused"]
    assert {c["speaker"] for c in payload["citations"]} == {"Marisol Okafor-Lind"}, payload["citations"]
    assert not any(is_question(c["quote"]) for c in payload["citations"])
    cited = [c for c in payload["citations"] if "backlog" in c["quote"].lower()]
    assert cited and cited[0]["n"] == 1, payload["citations"]
    spoken = [t for t in turns if "backlog" in t["text"]]  # the turns (answer key) where the word is said
    for citation in cited:
        assert any(t["start"] - 1.0 <= citation["start"] < citation["end"] <= t["end"] + 1.0 for t in spoken), citation
    episodes = json.loads(cli_run("episodes", "--json").output)["episodes"]
    assert episodes[0]["title"] == "Brightwater excerpt"


@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt", "json"])
def test_transcribe_formats_parse_back(fmt, cli_run, tmp_path):
    from cxinsight.sources import read_transcript

    clip = next(iter(librivox_clips()))
    result = cli_run("transcribe", str(clip), "--format", fmt, "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    written = tmp_path / "out" / f"{clip.stem}.{fmt}"
    transcript = read_transcript(written)
    assert "dashwood" in text_of(transcript).lower()
    assert transcript.segments[0].start < 1.0
    if fmt != "txt":  # plain text keeps only start times
        assert transcript.segments[-1].end <= 7.2
    assert not transcript.times_estimated


def test_batched_and_sequential_decoding_agree(interview, faster_result):
    """The default decodes several 30-second windows at once; --batch-size 1 decodes them in order."""
    from cxinsight.transcribe.engine import EngineOptions
    from cxinsight.transcribe.transcriber import Transcriber

    sequential = Transcriber(EngineOptions(engine="faster-whisper", batch_size=1)).transcribe(interview[0])
    batched, in_order = text_of(faster_result.transcript), text_of(sequential.transcript)
    assert wer([in_order], [batched]) <= 0.10
    for result in (faster_result, sequential):
        starts = [w.start for s in result.transcript.segments for w in (s.words or [])]
        assert len(starts) > 150 and starts == sorted(starts)


def test_batched_decoding_loses_no_speech(tmp_path):
    """The 36-second opening monologue: batched decoding alone returned its first sentence and then nothing
    for 21 s; the gaps are decoded again one window after another."""
    sys.path.insert(0, str(ROOT / "corpus"))
    from synthesize import synthesize

    from cxinsight.transcribe.engine import EngineOptions
    from cxinsight.transcribe.transcriber import Transcriber

    audio = synthesize(CORPUS / "01-brightwater-cleanup.txt", tmp_path, ".wav", max_turns=2, name="opening")
    with open(audio.with_name("opening.turns.csv"), encoding="utf-8") as handle:
        reference = " ".join(row["text"] for row in csv.DictReader(handle))
    result = Transcriber(EngineOptions(batch_size=8)).transcribe(audio)
    assert wer([reference], [text_of(result.transcript)]) <= 0.10
    words = [w for s in result.transcript.segments for w in s.words]
    gaps = [b.start - a.end for a, b in zip(words, words[1:])]
    assert max(gaps) < 3.0  # no stretch of the monologue left without words
