"""SRT and WebVTT subtitles, with speakers from `Name:` prefixes or VTT `<v Name>` voice tags."""

from __future__ import annotations

import io
import re

from cxinsight.errors import InputError
from cxinsight.models import Segment, Transcript

_PREFIX = re.compile(r"^\s*(?:-\s*)?(?P<speaker>[A-Z][\w.'’\-]*(?:\s+[\w.'’\-]+){0,4}):\s+(?P<text>.*)$", re.S)
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*\s+(?P<speaker>[^>]+)>")
_TAG = re.compile(r"</?[^>]+>")


def _clean(text: str) -> str:
    return " ".join(_TAG.sub("", text).split())


def _with_speakers(cues: list[tuple[float, float, str, str]], fmt: str) -> Transcript:
    """Cues are (start, end, text, explicit speaker). A cue with no speaker continues the last one."""
    segments, last = [], ""
    for start, end, text, speaker in cues:
        if not speaker:
            match = _PREFIX.match(text)
            if match:
                speaker, text = match.group("speaker"), match.group("text")
        speaker = speaker.strip() or last
        text = _clean(text)
        if text:
            segments.append(Segment(start=round(start, 3), end=round(end, 3), text=text, speaker=speaker))
            last = speaker
    return Transcript(segments=segments, source_format=fmt)


def parse_srt(text: str, path) -> Transcript:
    import srt

    try:
        subs = list(srt.parse(text, ignore_errors=False))
    except srt.SRTParseError as exc:
        line = text.count("\n", 0, exc.expected_start) + 1
        raise InputError(
            path, f"malformed SRT near line {line}: expected a cue (number, 'HH:MM:SS,mmm --> HH:MM:SS,mmm', text)"
        ) from None
    except ValueError as exc:
        raise InputError(path, f"malformed SRT: {str(exc).splitlines()[0][:160]}") from None
    if not subs:
        raise InputError(path, "malformed SRT: no subtitle cues found")
    cues = [(s.start.total_seconds(), s.end.total_seconds(), s.content.replace("\n", " "), "") for s in subs]
    return _with_speakers(cues, "srt")


def parse_vtt(text: str, path) -> Transcript:
    import webvtt

    if not text.lstrip().startswith("WEBVTT"):
        raise InputError(path, "malformed WebVTT: the file must start with 'WEBVTT'")
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except Exception as exc:  # webvtt raises its own MalformedFileError and friends
        raise InputError(path, f"malformed WebVTT: {str(exc).splitlines()[0][:160]}") from None
    if not captions:
        raise InputError(path, "malformed WebVTT: no cues found")
    cues = []
    for cap in captions:
        raw = " ".join(cap.lines) if getattr(cap, "lines", None) else cap.raw_text
        voice = _VOICE.search(raw)
        cues.append((cap.start_in_seconds, cap.end_in_seconds, raw, voice.group("speaker") if voice else ""))
    return _with_speakers(cues, "vtt")
