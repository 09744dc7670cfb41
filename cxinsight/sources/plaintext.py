"""Plain-text transcripts: paragraphs, or `Speaker: text` turns with optional [mm:ss] stamps, or the layouts
of transcription services' exports (sources/service_exports.py)."""

from __future__ import annotations

import re

from cxinsight.models import Segment, Transcript
from cxinsight.sources.labels import accepted_labels
from cxinsight.sources.service_exports import service_turns
from cxinsight.sources.textfile import estimate_seconds

_STAMP = r"\[(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,3}):(?P<s>\d{2}(?:\.\d+)?)\]"
# A speaker label is a short name (1-5 words, starts with a capital) followed by a colon; diarization tools
# bracket it ("[SPEAKER_01]: Hola").
_SPEAKER = r"(?P<open>\[)?(?P<speaker>[A-Z][\w.'’\-]*(?:\s+[\w.'’\-]+){0,4})(?(open)\]):\s+"
_TURN = re.compile(rf"^\s*(?:{_STAMP}\s*)?(?:{_SPEAKER})?(?P<text>.*)$")


def _stamp_seconds(match: re.Match) -> float | None:
    if match.group("m") is None:
        return None
    hours = int(match.group("h") or 0)
    return hours * 3600 + int(match.group("m")) * 60 + float(match.group("s"))


def parse_plaintext(text: str, known_names: frozenset = frozenset()) -> Transcript:
    lines = text.split("\n")
    turns = service_turns(lines, known_names)
    if turns is None:
        turns = _labelled_turns(lines, known_names)
    return _transcript(turns)


def _labelled_turns(lines: list[str], known_names: frozenset) -> list[dict]:
    starts = [_TURN.match(line) for i, line in enumerate(lines) if line.strip() and (i == 0 or not lines[i - 1].strip())]
    labels = [m.group("speaker") for m in map(_TURN.match, lines) if m.group("speaker")]
    throughout = len(starts) >= 2 and all(m.group("speaker") for m in starts)
    speakers = accepted_labels(labels, known_names, throughout)
    turns: list[dict] = []
    paragraph_break = True
    for line in lines:
        if not line.strip():
            paragraph_break = True
            continue
        match = _TURN.match(line)
        stamp = _stamp_seconds(match)
        speaker = (match.group("speaker") or "").strip()
        body = match.group("text").strip()
        if speaker and speaker not in speakers:  # no evidence it is a speaker: the words stay in the text
            body = line[match.start("open" if match.group("open") else "speaker"):].strip()
            speaker = ""
        starts_turn = paragraph_break or stamp is not None or bool(speaker)
        if turns and not starts_turn:
            turns[-1]["text"] += " " + body
        else:
            if not speaker and turns and not paragraph_break:
                speaker = turns[-1]["speaker"]
            turns.append({"speaker": speaker, "text": body, "stamp": stamp})
        paragraph_break = False
    return [t for t in turns if t["text"]]


def _transcript(turns: list[dict]) -> Transcript:
    stamped = any(t["stamp"] is not None for t in turns)
    segments: list[Segment] = []
    clock = 0.0
    for i, turn in enumerate(turns):
        start = turn["stamp"] if turn["stamp"] is not None else clock
        guess = start + estimate_seconds(turn["text"])
        nxt = turns[i + 1]["stamp"] if i + 1 < len(turns) else None
        end = nxt if (nxt is not None and nxt > start) else guess
        segments.append(Segment(start=round(start, 3), end=round(end, 3), text=turn["text"], speaker=turn["speaker"]))
        clock = end
    # Speaker carried forward from paragraphs without a label in a labelled file.
    if any(s.speaker for s in segments):
        last = ""
        for seg in segments:
            seg.speaker = seg.speaker or last
            last = seg.speaker
    return Transcript(segments=segments, times_estimated=not stamped, source_format="txt")
