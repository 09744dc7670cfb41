"""JSON transcripts: cxinsight's own Transcript JSON, openai-whisper's JSON output, Podcasting 2.0 JSON."""

from __future__ import annotations

import json

from cxinsight.errors import InputError
from cxinsight.models import Segment, Transcript, Word


def parse_json(text: str, path) -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if isinstance(data, dict) and isinstance(data.get("transcript"), dict):
        data = data["transcript"]  # an exported episode
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise InputError(path, "JSON transcript needs a 'segments' list (cxinsight or openai-whisper format)")
    segments = []
    for i, raw in enumerate(data["segments"]):
        try:
            words = None
            if raw.get("words"):
                words = [
                    Word(text=str(w.get("word", w.get("text", ""))).strip(), start=float(w["start"]), end=float(w["end"]))
                    for w in raw["words"]
                ]
            if "startTime" in raw:  # the Podcasting 2.0 JSON transcript format
                raw = {"start": raw["startTime"], "end": raw["endTime"], "text": raw["body"], "speaker": raw.get("speaker")}
            segments.append(
                Segment(
                    start=float(raw["start"]),
                    end=float(raw["end"]),
                    text=" ".join(str(raw["text"]).split()),
                    speaker=str(raw.get("speaker") or ""),
                    words=words,
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(path, f"segment {i} is missing start/end/text ({exc.__class__.__name__}: {exc})") from None
    segments = [s for s in segments if s.text]
    return Transcript(
        segments=segments,
        language=str(data.get("language") or "en"),
        times_estimated=bool(data.get("times_estimated", False)),
        source_format="json",
    )
