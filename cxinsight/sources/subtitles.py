"""SRT, WebVTT and YouTube SBV subtitles, with speakers from `Name:` prefixes or VTT `<v Name>` voice tags."""

from __future__ import annotations

import html
import io
import re

from cxinsight.errors import InputError
from cxinsight.models import Segment, Transcript
from cxinsight.sources.labels import accepted_labels, person_and_part
from cxinsight.text.formats import ESTIMATED_NOTE

# "ANA: …", "- ANA: …", ">> ANA: …"; "JOHN SMITH (CEO, Acme): …" is John Smith (labels.person_and_part).
_PREFIX = re.compile(r"^\s*(?:-\s*|>>\s*)?(?P<speaker>[A-Z][\w.'’\-]*(?:\s+[\w.'’\-]+){0,4})"
                     r"(?:[ \t]*\((?P<named>[^()\n:]{1,60})\))?:\s+(?P<text>.*)$", re.S)
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*\s+(?P<speaker>[^>]+)>")
# Markup the formats define: <i>, <b>, <c.class>, <v Name>, <font ...>, </i>, VTT timestamps <00:01.000>;
# never "<70 to >85" (a "<" followed by a digit or a space is text).
# SSA/ASS override blocks that SubRip files carry from their source: {\an8} (top of screen), {\i1}, {\pos(…)}.
_SSA_OVERRIDE = re.compile(r"\{\\[^{}]*\}")
_TAG = re.compile(r"</?(?:[A-Za-z][\w.\-]*(?:\s[^<>]*)?|\d{1,2}(?::\d{2}){1,2}\.\d{3})>")


def _clean(text: str) -> str:
    """Tags out, then character references decoded once (&amp; -> &, &nbsp; -> a space, &lrm; -> nothing)."""
    decoded = html.unescape(_TAG.sub("", text)).replace("\u200e", "").replace("\u200f", "")
    return " ".join(decoded.split())


def _voices(raw: str, start: float, end: float) -> list[tuple[float, float, str, str]]:
    """A cue with several `<v Name>` spans becomes one cue per voice, sharing the cue's time by length."""
    spans = list(_VOICE.finditer(raw))
    if len(spans) < 2:
        return [(start, end, raw, spans[0].group("speaker") if spans else "")]
    pieces = [(m.group("speaker"), raw[m.end(): spans[i + 1].start() if i + 1 < len(spans) else len(raw)])
              for i, m in enumerate(spans)]
    if raw[: spans[0].start()].strip():  # text before the first voice belongs to the cue's previous speaker
        pieces.insert(0, ("", raw[: spans[0].start()]))
    times = _shared(start, end, [text for _, text in pieces])
    return [(a, b, text, speaker) for (a, b), (speaker, text) in zip(times, pieces)]


def _shared(start: float, end: float, texts: list[str]) -> list[tuple[float, float]]:
    """A cue's time shared among its parts by their length."""
    total = sum(len(_clean(text)) for text in texts) or 1
    times, clock = [], start
    for text in texts:
        share = (end - start) * len(_clean(text)) / total
        times.append((clock, clock + share))
        clock += share
    return times


# Subtitles mark a change of speaker inside a cue with a dash at the line's start: "- How long?\n- Six months."
# (or only the second line's: "How long?\n- Six months."). Not "-5 degrees", not "--". Broadcast captions
# mark every change with chevrons, the cue's first line included: ">> DANA: Why?" (">>>" starts a new story).
_DASH = re.compile(r"^\s*(?:[-–—](?![-–—\d])|>{2,3})\s*(?=\S)")


# A cue's speaker when chevrons say the speaker changed but name nobody (">> Because we…"): not the last one's.
NEW_VOICE = "\0new voice"


def _dash_turns(lines: list[str], start: float, end: float) -> list[tuple[float, float, str, str]]:
    """A cue whose later lines start with a dash is one turn per dashed line, sharing the cue's time: each may
    carry its own "BEN:" label. The dashes are the format's markup, not words. Cues are (start, end, text,
    speaker): the speaker is "" (continue or read a label) or NEW_VOICE for a chevron turn."""
    if not any(_DASH.match(line) for line in lines[1:]) and not (lines and lines[0].lstrip().startswith(">>")):
        return [(start, end, " ".join(lines), "")]
    turns: list[list[str]] = []
    for line in lines:
        if _DASH.match(line) or not turns:
            turns.append([_DASH.sub("", line), NEW_VOICE if line.lstrip().startswith(">>") else ""])
        else:
            turns[-1][0] = f"{turns[-1][0]} {line}"
    return [(a, b, text, voice) for (a, b), (text, voice) in zip(_shared(start, end, [t for t, _ in turns]), turns)]


def _overlap(before: list[str], after: list[str]) -> int:
    """How many words `after` starts with that `before` ends with."""
    for k in range(min(len(before), len(after)), 0, -1):
        if [w.lower() for w in before[-k:]] == [w.lower() for w in after[:k]]:
            return k
    return 0


def _unroll(segments: list[Segment]) -> list[Segment]:
    """Rolling captions (YouTube-style: each cue repeats the line before it) stored once, not twice.

    Only in files that roll: at least 30% of consecutive cues repeat 2+ words (or all) of the cue before.
    Ordinary subtitles, where one cue may happen to start with the word the last one ended on, are untouched.
    """
    words = [s.text.split() for s in segments]
    pairs = [(_overlap(words[i - 1], words[i]), len(words[i])) for i in range(1, len(segments))]
    rolling = len(pairs) >= 3 and sum(k >= 2 or (k and k == n) for k, n in pairs) >= 0.3 * len(pairs)
    if not rolling:
        return segments
    out = [segments[0]]
    for i in range(1, len(segments)):
        seg, (k, n) = segments[i], pairs[i - 1]
        if k and seg.speaker == segments[i - 1].speaker:
            if k == n:  # the whole cue is a repeat: it only extends the time the words were on screen
                out[-1] = out[-1].model_copy(update={"end": max(out[-1].end, seg.end)})
                continue
            seg = seg.model_copy(update={"text": " ".join(words[i][k:])})
        out.append(seg)
    return out


def _in_time_order(cues: list, warnings: list[str]) -> list:
    """Cues sorted by start time, as a player shows them: a file edited out of order (cue 12 before cue 11) is
    read as it plays, and a warning says so. Ties keep the file's order."""
    late = sum(1 for before, cue in zip(cues, cues[1:]) if cue[0] < before[0])
    if not late:
        return cues
    warnings.append(f"{late} cue{'s' if late > 1 else ''} out of time order in the file; read in the order they play")
    return sorted(cues, key=lambda cue: cue[0])


def _person(match: re.Match) -> str:
    return person_and_part(match.group("speaker"), match.group("named") or "")[0]


def _with_speakers(cues: list[tuple[float, float, str, str]], fmt: str) -> Transcript:
    """Cues are (start, end, text, explicit speaker). A cue with no speaker continues the last one."""
    segments, last = [], ""
    # A label may sit inside markup: <font color="#00ffff">KAREN LEE:</font> (broadcast subtitles colour voices)
    # Broadcast captions name a voice once and then only mark each change with ">>": such a turn is an unnamed
    # voice (""), never the words of whoever spoke before.
    cues = [(start, end, text if speaker not in ("", NEW_VOICE) else _TAG.sub("", text), speaker)
            for start, end, text, speaker in cues]
    unnamed = [speaker in ("", NEW_VOICE) for _, _, _, speaker in cues]
    prefixes = [_person(m) for (_, _, text, _), u in zip(cues, unnamed) if u and (m := _PREFIX.match(text))]
    speakers = accepted_labels(prefixes, every_turn_labelled=bool(prefixes) and len(prefixes) == len(cues))
    for (start, end, text, speaker), u in zip(cues, unnamed):
        if u:
            match = _PREFIX.match(text)
            if match and _person(match) in speakers:
                speaker, text = _person(match), match.group("text")
        speaker = "" if speaker == NEW_VOICE else speaker.strip() or last
        text = _clean(text)
        if text:
            segments.append(Segment(start=round(start, 3), end=round(end, 3), text=text, speaker=speaker))
            last = speaker
    return Transcript(segments=_unroll(segments), source_format=fmt)


_TIMING = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}\s+-->\s+(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}(?:\s.*)?$")


def _vtt_timing_readable(line: str) -> bool:
    """Whether webvtt-py reads this timing line (it drops the cue silently when it cannot)."""
    from webvtt.models import Timestamp

    try:
        start, end = (side.split()[0] for side in line.split("-->", 1))
        Timestamp.from_string(start), Timestamp.from_string(end)
    except Exception:  # webvtt's MalformedCaptionError, or a side with nothing in it
        return False
    return True


def _broken_timings(lines: list[str]) -> list[int]:
    """0-based numbers of lines that look like a cue timing ("-->") but cannot be read as one."""
    return [i for i, line in enumerate(lines) if "-->" in line and not _vtt_timing_readable(line)]


def _cue_text_after(lines: list[str], i: int) -> str:
    block = []
    for line in lines[i + 1:]:
        if not line.strip():
            break
        block.append(line)
    return " ".join(block)


def _orphan_number_line(lines: list[str], number: str) -> str:
    """ "line N: " for a cue number standing after a blank line with no timing line under it."""
    for i in range(1, len(lines) - 1):
        if lines[i].strip() == number and not lines[i - 1].strip() and not _TIMING.match(lines[i + 1]):
            return f"line {i + 1}: "
    return ""


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
    warnings, cues, all_lines = [], [], text.split("\n")
    for sub in subs:
        lines = sub.content.split("\n")
        # A cue whose timing line is missing is swallowed by the cue before: its number shows up as a text line.
        kept = []
        for n, line in enumerate(lines):
            if n and not lines[n - 1].strip() or (n and line.strip() == str((sub.index or 0) + 1) and n + 1 < len(lines)):
                if line.strip().isdigit():
                    where = _orphan_number_line(all_lines, line.strip())
                    warnings.append(f"{where}cue {line.strip()} has no timing line; its text was joined to cue {sub.index}")
                    continue
            kept.append(line)
        kept = [_SSA_OVERRIDE.sub("", line) for line in kept]
        cues.extend(_dash_turns(kept, sub.start.total_seconds(), sub.end.total_seconds()))
    cues = _in_time_order(cues, warnings)
    transcript = _with_speakers(cues, "srt")
    return transcript.model_copy(update={"warnings": warnings})


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
    raws = []
    for cap in captions:
        lines = list(cap.lines) if getattr(cap, "lines", None) else [cap.raw_text]
        # webvtt-py's start_in_seconds is an int (2.760 s -> 2); its Timestamp keeps the milliseconds.
        raws.append([cap.start_time.in_milliseconds() / 1000, cap.end_time.in_milliseconds() / 1000, lines])
    # webvtt-py drops a cue whose timing line it cannot read: keep its words with the cue before, and say so.
    lines, warnings = text.split("\n"), []
    for i in _broken_timings(lines):
        before = sum(1 for line in lines[:i] if "-->" in line and _vtt_timing_readable(line))
        words = _cue_text_after(lines, i)
        if words and raws:
            target = raws[max(before - 1, 0)][2]
            target[-1 if before else 0] = f"{target[-1]} {words}" if before else f"{words} {target[0]}"
        warnings.append(f"line {i + 1}: unreadable cue timing '{lines[i].strip()[:60]}'; its text was joined to the cue "
                        f"{'before' if before else 'after'}")
    raws = _in_time_order(raws, warnings)
    cues = [(a, b, text, voice or new) for start, end, lines in raws for a, b, raw, new in _dash_turns(lines, start, end)
            for a, b, text, voice in _voices(raw, a, b)]
    transcript = _with_speakers(cues, "vtt")
    # An export of an episode whose times were guessed says so in a NOTE; reading it back keeps the flag.
    estimated = any(line.strip() == f"NOTE {ESTIMATED_NOTE}" for line in lines)
    return transcript.model_copy(update={"warnings": warnings, "times_estimated": estimated})


def parse_sbv(text: str, path) -> Transcript:
    """YouTube's SubViewer captions (.sbv: "0:00:01.200,0:00:04.000" over each cue's lines), as YouTube Studio
    and youtube-dl save them. Read with webvtt-py's SBV parser; the cues then go the way of SRT's."""
    from webvtt import sbv
    from webvtt.errors import MalformedFileError

    lines = text.lstrip("\ufeff").splitlines()
    try:
        captions = sbv.parse(lines)
    except (MalformedFileError, ValueError) as exc:
        raise InputError(path, "malformed SBV: expected cues of 'H:MM:SS.mmm,H:MM:SS.mmm' over their text "
                               f"({str(exc).splitlines()[0][:80]})") from None
    if not captions:
        raise InputError(path, "malformed SBV: no cues found")
    warnings: list[str] = []
    raws = _in_time_order([(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000, list(c.lines))
                           for c in captions], warnings)
    cues = [cue for start, end, lines in raws for cue in _dash_turns(lines, start, end)]
    return _with_speakers(cues, "sbv").model_copy(update={"warnings": warnings})
