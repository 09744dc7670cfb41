"""`cxinsight transcribe`: audio files to transcript files, one model load for all of them."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cxinsight.errors import CxError, InputError
from cxinsight.settings import Settings
from cxinsight.sources import is_audio


@dataclass
class TranscribeOutcome:
    path: str
    status: str  # "written", "silent", "failed"
    output: str = ""
    detail: str = ""
    text: str = ""  # the rendered transcript, when written to stdout


def transcribe_files(
    paths: list[Path],
    settings: Settings,
    fmt: str,
    out_dir: Path | None,
    on_audio: Callable[[Path, float, float], None] | None = None,
) -> list[TranscribeOutcome]:
    """Transcribe audio files with one model load; out_dir None keeps the text for stdout."""
    from cxinsight.text.formats import render_transcript
    from cxinsight.transcribe.engine import options_from_settings
    from cxinsight.transcribe.transcriber import Transcriber

    transcriber = Transcriber(options_from_settings(settings))
    transcriber.engine  # a bad --model or --engine fails here, before any file
    outcomes = []
    for path in paths:
        path = Path(path)
        try:
            if path.is_dir():
                raise InputError(path, "is a folder; name the audio or video files to transcribe")
            if path.exists() and not is_audio(path):
                raise InputError(path, f"not an audio or video file type ('{path.suffix or path.name}')")
            with tempfile.TemporaryDirectory(prefix=".cxinsight-", dir=out_dir if out_dir and out_dir.is_dir() else None) as spool_dir:
                # decoded audio spooled as 16-bit PCM (on disk, beside the output) so diarizing need not decode again
                spool = Path(spool_dir) / "audio.pcm16"
                with open(spool, "wb") as keep:
                    result = transcriber.transcribe(path, on_progress=lambda d, t: on_audio and on_audio(path, d, t),
                                                    keep_audio=keep if settings.diarize else None)
                transcript = result.transcript
                if settings.diarize and not result.silent:
                    transcript = _named_voices(path, transcript, settings, spool)
        except CxError as exc:
            outcomes.append(TranscribeOutcome(str(path), "failed", detail=str(exc)))
            continue
        text = render_transcript(transcript, fmt)
        status = "silent" if result.silent else "written"
        detail = (f"no speech found in {result.audio_seconds:.0f} s of audio (silence only?)" if result.silent
                  else transcript.speaker_note)
        if out_dir is None:
            outcomes.append(TranscribeOutcome(str(path), status, "-", detail, text))
            continue
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{path.stem}.{fmt}"
        tmp = target.with_name(f".{target.name}.part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        outcomes.append(TranscribeOutcome(str(path), status, str(target), detail))
    return outcomes


def _named_voices(path: Path, transcript, settings: Settings, decoded: Path | None = None):
    """Who speaks when, named from a sidecar's host and guest when there is one (else "Speaker N")."""
    from cxinsight.sources import read_metadata
    from cxinsight.transcribe.diarize import diarize
    from cxinsight.transcribe.voices import rename_speakers, speaker_names

    voiced = diarize(path, transcript, settings.speakers or None, decoded).transcript
    meta = read_metadata(path, voiced)
    return rename_speakers(voiced, speaker_names(voiced, meta.host, meta.guest))
