"""Read any supported transcript file into a Transcript."""

from __future__ import annotations

import re
from pathlib import Path

from cxinsight.errors import InputError
from cxinsight.models import Transcript
from cxinsight.sources.discover import AUDIO_EXTENSIONS, SIDECAR_EXTENSIONS, SUPPORTED_TRANSCRIPTS
from cxinsight.sources.docxfile import docx_text
from cxinsight.sources.htmlfile import parse_html
from cxinsight.sources.markdownfile import markdown_text
from cxinsight.sources.jsonfile import parse_json
from cxinsight.sources.plaintext import parse_plaintext
from cxinsight.sources.subtitles import parse_sbv, parse_srt, parse_vtt
from cxinsight.sources.textfile import read_text


_SRT_START = re.compile(r"\d+[ \t]*\r?\n[ \t]*\d{1,2}:\d{2}:\d{2},\d{3}[ \t]+-->")


def read_transcript(path: Path) -> Transcript:
    path = Path(path)
    ext = path.suffix.lower()
    if not path.exists():
        raise InputError(path, "no such file or directory")
    if ext in AUDIO_EXTENSIONS:
        raise InputError(path, "audio needs transcribing first (cxinsight ingest or cxinsight transcribe)")
    if ext in SIDECAR_EXTENSIONS:
        raise InputError(path, f"metadata (a sidecar), not a transcript: name its transcript or audio "
                               f"('{path.stem}.*') or their folder")
    if ext not in SUPPORTED_TRANSCRIPTS:
        supported = ", ".join(sorted(SUPPORTED_TRANSCRIPTS))
        media = ", ".join(sorted(AUDIO_EXTENSIONS))
        raise InputError(path, f"unsupported file type '{ext or path.name}' (transcripts: {supported}; audio/video: {media})")
    notes: list[str] = []
    text = docx_text(path) if ext == ".docx" else read_text(path, notes)
    title = ""
    if ext in (".md", ".markdown"):
        text, title = markdown_text(text)
    is_vtt = text.lstrip("\ufeff \t\r\n").startswith("WEBVTT")
    if ext == ".srt" and is_vtt:  # a WebVTT file saved as .srt (caption tools do it): read what it is
        transcript = parse_vtt(text, path)
        transcript.warnings.append("the file is WebVTT (it starts with 'WEBVTT') despite its .srt name; read as WebVTT")
    elif ext == ".srt":
        transcript = parse_srt(text, path)
    elif ext == ".vtt" and not is_vtt and _SRT_START.match(text.lstrip("\ufeff \t\r\n")):
        transcript = parse_srt(text, path)
        transcript.warnings.append("the file is SubRip (no 'WEBVTT' header, numbered cues) despite its .vtt name; read as SRT")
    elif ext == ".vtt":
        transcript = parse_vtt(text, path)
    elif ext == ".sbv":
        transcript = parse_sbv(text, path)
    elif ext in (".json", ".json3"):  # .json3: YouTube captions as yt-dlp saves them
        transcript = parse_json(text, path)
    elif ext in (".html", ".htm"):
        transcript = parse_html(text)
    else:
        transcript = parse_plaintext(text)
    if not transcript.segments:
        raise InputError(path, "no transcript text found")
    transcript.warnings[:0] = notes
    if title:
        transcript.title = title
    return transcript
