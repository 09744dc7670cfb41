"""Plain-text transcripts: paragraphs, or `Speaker: text` turns with optional [mm:ss] stamps, or the layouts
of transcription services' exports (sources/service_exports.py)."""

from __future__ import annotations

import re
from collections import Counter

from cxinsight.models import Segment, Transcript
from cxinsight.sources.labels import ROLE_WORDS, accepted_labels, is_name_like, person_and_part
from cxinsight.sources.service_exports import BARE_TIME, TOOL_FOOTER, service_turns
from cxinsight.sources.textfile import estimate_seconds
from cxinsight.util.clock import clock

_STAMP = r"\[(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,3}):(?P<s>\d{2}(?:\.\d+)?)\]"
# A speaker label is a short name (1-5 words, starts with a capital) followed by a colon, perhaps after an em
# dash ("— Farah:") or broadcast captions' chevrons (">> MARCUS:"); diarization tools and some editors bracket it,
# with or without the colon ("[SPEAKER_01]: Hola", "[Kwame] We dropped…").
_SPEAKER = (r"(?P<lead>(?:—|>>)[ \t]*)?(?P<open>\[)?(?P<speaker>[A-Z][\w.'’\-]*(?:\s+[\w.'’\-]+){0,4})"
            r"(?(open)\]:?|(?:[ \t]*\((?P<named>[^()\n:]{1,60})\)|,[ \t]*(?P<title>[^:\n]{1,80}?))?:)\s+")
# What a transcript brackets that nobody says: "[Laughter] So…" is not a speaker named Laughter.
_SOUNDS = {"laughter", "laughs", "laughing", "music", "applause", "crosstalk", "inaudible", "silence", "pause", "noise",
           "background noise", "intro music", "outro music", "theme music", "cheering", "coughs", "sighs", "unintelligible"}
# "Host (Alex Kim):" and "Alex Kim (Host):" are Alex Kim; "Rafael (Dunmore Motors):" is Rafael (labels.person_and_part).
_TURN = re.compile(rf"^\s*(?:{_STAMP}\s*)?(?:{_SPEAKER})?(?P<text>.*)$")


def _stamp_seconds(match: re.Match) -> float | None:
    if match.group("m") is None:
        return None
    hours = int(match.group("h") or 0)
    return hours * 3600 + int(match.group("m")) * 60 + float(match.group("s"))


def parse_plaintext(text: str, known_names: frozenset = frozenset()) -> Transcript:
    lines = _times_onto_labels(text.split("\n"))
    turns = service_turns(lines, known_names)
    if turns is None:
        turns = _labelled_turns(_names_above_speech(lines, known_names), known_names)
    transcript = _transcript(turns)
    first = next((line.strip() for line in lines if line.strip()), "")
    if meeting := _MEETING_TITLE.match(first):  # Google Meet heads its transcript "<meeting> - Transcript"
        transcript.title = meeting["title"].strip()
    return transcript


_MEETING_TITLE = re.compile(r"^(?P<title>\S.{0,150}?)\s+[-–]\s+Transcript$")


def _times_onto_labels(lines: list[str]) -> list[str]:
    """A time alone on its line above a labelled turn stamps that turn: Google Meet's transcripts put "00:05:00"
    over every fifth minute's "Name: words" lines. Written as this reader's own "[00:05:00] Name: words", so the
    turns keep their speakers (read as a service's time headers, every "Name:" below became words)."""
    out, held = [], None
    for line in lines:
        if BARE_TIME.match(line):
            if held is not None:
                out.append(held)
            held = line
            continue
        if held is not None and not line.strip():
            out.append(line)  # a blank line between the time and the turn
            continue
        if held is not None:
            turn = _TURN.match(line)
            if turn.group("speaker") and turn.group("m") is None and _label(turn):
                line = f"[{held.strip()}] {line.lstrip()}"
            else:
                out.insert(len(out) - _blank_tail(out), held)
            held = None
        out.append(line)
    if held is not None:
        out.append(held)
    return out


def _blank_tail(lines: list[str]) -> int:
    n = 0
    while n < len(lines) and not lines[-1 - n].strip():
        n += 1
    return n


# A name alone on its line, perhaps with a colon; not a short sentence ("We coached every lead.").
_NAME_LINE = re.compile(r"^\s*(?P<name>[A-Z][\w.'’\-]*(?:[ \t]+[\w.'’\-]+){0,4})(?<![.!?])[ \t]*(?P<colon>:)?\s*$")


def _names_above_speech(lines: list[str], known_names: frozenset) -> list[str]:
    """A speaker's name on a line of its own above the words (a screenplay's "ANNA BERG", or "Anna Berg:" with
    the words on the next line, perhaps after a blank one) is joined to them as "Anna Berg: words", so the
    labels' usual evidence decides. A name without a colon needs more than a heading has: it heads two of the
    file's blocks, or the metadata names it; then the file's other name-like ones are speakers too."""
    heads: dict[int, tuple[int, str, bool]] = {}  # line -> (line of the words, name, has a colon)
    for i, line in enumerate(lines):
        match = _NAME_LINE.match(line)
        if not match or (i and lines[i - 1].strip()):
            continue
        below = i + 1 if i + 1 < len(lines) and lines[i + 1].strip() else i + 2
        if below < len(lines) and lines[below].strip() and not _NAME_LINE.match(lines[below]):
            heads[i] = (below, match["name"].strip(), bool(match["colon"]))
    bare = Counter(name for _, name, colon in heads.values() if not colon)
    known = {n.strip().lower() for n in known_names if n}
    sure = {n for n, count in bare.items() if (count >= 2 and is_name_like(n)) or n.lower() in known}
    if sure:
        sure |= {n for n in bare if is_name_like(n)}
    # ... and heads at least half the file's blocks: a page's recurring "Advertisement" or "Related" does not.
    blocks = sum(1 for i, line in enumerate(lines) if line.strip() and (i == 0 or not lines[i - 1].strip()) and i not in heads)
    if sum(1 for _, name, colon in heads.values() if not colon and name in sure) < 0.5 * blocks:
        sure = set()
    out, joined = list(lines), set()
    for i, (below, name, colon) in heads.items():
        if colon or name in sure:
            out[i], out[below] = "", f"{name}: {lines[below].strip()}"
            joined.add(i)
    return [line for i, line in enumerate(out) if i not in joined]


def _label(match: re.Match) -> str:
    return _person(match)[0]


def _person(match: re.Match) -> tuple[str, str]:
    """(person, part) a label names; ("", "") when it is no label. "Jonah Whitcombe, host:" and "Saoirse Lenihan,
    Director of Patient Experience:" are labels: a full name, then a comma and a role or title. A single word before
    a comma ("Well, here is the plan:") is the start of a sentence, and "Tom Achterberg, Chief Digital Officer,
    added:" of a quotation."""
    speaker, title = match.group("speaker") or "", match.group("title")
    if not speaker or (match.group("open") and " ".join(speaker.split()).lower() in _SOUNDS):
        return "", ""
    if title is not None:
        parts = [p.strip() for p in title.split(",")]
        # every part a title or a role ("Director of Patient Experience, St Brigid's"; "host"), none prose
        # ("Chief Executive of Bramble & Bean, said:" introduces a quotation in a press release)
        if len(speaker.split()) < 2 or not is_name_like(speaker) or not all(
                p[:1].isupper() or p.lower() in ROLE_WORDS for p in parts):
            return "", ""
        first = title.split()[0].lower() if title.split() else ""
        return person_and_part(speaker, first if first in ROLE_WORDS else "")
    return person_and_part(speaker, match.group("named") or "")


_CHEVRON = re.compile(r"^>>(?!>)\s*")
_ENDS_CLAUSE = re.compile(r"[.!?…:;,—–-][\"'”’)\]]*$")
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*(?:\s*[\u2600-\u27bf\U0001f000-\U0001faff\u200d\ufe0f]+)*$")  # emoji after the stop
_STARTS_CAPITAL = re.compile(r"^[\"'“‘(]*[A-Z0-9]")


def _heading_lines(lines: list[str]) -> set[int]:
    """Lines that head the text below them without a blank line between (scraped articles): short (at most 10
    words and half the paragraph's longest line), capitalised, not ended like a clause, after a paragraph
    start or a finished sentence, and followed by a capitalised line. Hard-wrapped prose has no such line."""
    headings, paragraph = set(), []
    for i, line in enumerate([*lines, ""]):
        if line.strip():
            paragraph.append(i)
            continue
        lengths = sorted(((len(lines[k].strip()), k) for k in paragraph), reverse=True)[:2]  # linear, not per line
        for j, at in enumerate(paragraph[:-1]):
            text, following = lines[at].strip(), lines[paragraph[j + 1]].strip()
            widest = lengths[1][0] if lengths[0][1] == at else lengths[0][0]
            if ((j == 0 or _ENDS_SENTENCE.search(lines[paragraph[j - 1]].strip())) and not _ENDS_CLAUSE.search(text)
                    and _STARTS_CAPITAL.match(text) and _STARTS_CAPITAL.match(following)
                    and len(text.split()) <= 10 and len(text) <= 0.5 * widest):
                headings.add(at)
        paragraph = []
    return headings


def _fields(lines: list[str], matches: list[re.Match]) -> set[str]:
    """Labels that only ever head a field or a title, never a turn: "Tags: Operations, Logistics", "Subject: Q3
    plan", "Roundtable Notes: Service Operations in Housing". Each of their lines is short and unfinished; a speaker
    says at least once something longer, or finished, or that runs on (wrapped) to the next line."""
    said: dict[str, bool] = {}
    for i, match in enumerate(matches):
        if match.group("speaker"):
            body = match.group("text").strip()
            runs_on = i + 1 < len(lines) and lines[i + 1].strip()[:1].islower()  # a wrapped line, mid-sentence
            turn = len(body.split()) > 12 or bool(_ENDS_SENTENCE.search(body)) or runs_on
            said[_label(match)] = said.get(_label(match), False) or turn
    return {label for label, turn in said.items() if not turn}


def _labelled_turns(lines: list[str], known_names: frozenset) -> list[dict]:
    matches = [_TURN.match(line) for line in lines]
    starts = [m for i, m in enumerate(matches) if lines[i].strip() and (i == 0 or not lines[i - 1].strip())]
    fields = _fields(lines, matches) - {n for n in known_names if n}
    labels = [_label(m) for m in matches if m.group("speaker") and _label(m) not in fields]
    throughout = len(starts) >= 2 and all(m.group("speaker") and _label(m) not in fields for m in starts)
    speakers = accepted_labels(labels, known_names, throughout)
    headings = _heading_lines(lines)
    turns: list[dict] = []
    paragraph_break = True
    for i, line in enumerate(lines):
        if not line.strip() or TOOL_FOOTER.match(line):
            paragraph_break = True
            continue
        match = _TURN.match(line)
        stamp = _stamp_seconds(match)
        speaker, part = _person(match)
        body = match.group("text").strip()
        if match.group("speaker") and speaker not in speakers:  # no evidence it is a speaker: the words stay in the text
            body = line[match.start(next(g for g in ("lead", "open", "speaker") if match.group(g))):].strip()
            speaker = ""
        # Broadcast and auto captions mark a change of voice with chevrons alone: a new turn, by nobody named.
        chevron = not speaker and _CHEVRON.match(body)
        if chevron:
            body = body[chevron.end():]
        starts_turn = paragraph_break or stamp is not None or bool(speaker) or bool(chevron) or i in headings or i - 1 in headings
        if turns and not starts_turn:
            turns[-1]["parts"].append(body)  # joined once below: a long unbroken paragraph stays linear
        else:
            if not speaker and turns and not paragraph_break and not chevron:
                speaker = turns[-1]["speaker"]
            turns.append({"speaker": speaker, "parts": [body], "stamp": stamp, "part": part,  # "Keiko (host):"
                          "new_voice": bool(chevron)})
        paragraph_break = False
    joined = [{**t, "text": " ".join(t.pop("parts"))} for t in turns]
    return [t for t in joined if t["text"]]


def _transcript(turns: list[dict]) -> Transcript:
    stamped = any(t["stamp"] is not None for t in turns)
    segments: list[Segment] = []
    stamps = [(t["stamp"], t["text"]) for t in turns if t["stamp"] is not None]
    elapsed = 0.0
    for i, turn in enumerate(turns):
        start = turn["stamp"] if turn["stamp"] is not None else elapsed
        guess = start + estimate_seconds(turn["text"])
        nxt = turns[i + 1]["stamp"] if i + 1 < len(turns) else None
        end = nxt if (nxt is not None and nxt > start) else guess
        segments.append(Segment(start=round(start, 3), end=round(end, 3), text=turn["text"], speaker=turn["speaker"]))
        elapsed = end
    warnings = [t["note"] for t in turns if t.get("note")] + _backward_stamps(stamps)
    # Speaker carried forward from paragraphs without a label in a labelled file (not over a ">>" turn: a new voice).
    if any(s.speaker for s in segments):
        last = ""
        for seg, turn in zip(segments, turns):
            seg.speaker = seg.speaker or ("" if turn.get("new_voice") else last)
            last = seg.speaker
    roles = {t["speaker"]: t["part"] for t in turns if t.get("part") and t["speaker"]}
    return Transcript(segments=segments, times_estimated=not stamped, source_format="txt", warnings=warnings, roles=roles)


def _backward_stamps(stamps: list[tuple[float, str]]) -> list[str]:
    """A stamp earlier than the one before it (a pasted-together file, a typo: [12:40] for [21:40]) is kept as
    written, and said: the times around it, and the links made from them, may be wrong."""
    back = [(before, at, text) for (before, _), (at, text) in zip(stamps, stamps[1:]) if at < before]
    if not back:
        return []
    before, at, text = back[0]
    words = " ".join(text.split()[:6]) + ("…" if len(text.split()) > 6 else "")
    more = f" (and {len(back) - 1} more)" if len(back) > 1 else ""
    return [f"stamp [{clock(at)}] comes after [{clock(before)}], earlier in time, at \"{words}\"{more}; "
            "times there may be wrong"]
