"""Plain-text exports of transcription services: who and when on a header line, the words below it.

"Jane Doe  0:05" (Otter), "Speaker 1 (00:00:05):" (Rev, Descript), "0:05" or "[00:05] Jane Doe" on a line
of their own (YouTube's transcript panel, others); or inline before the words: "Jane Doe (00:00:05): words",
"00:00:05 Jane Doe: words", "Jane Doe: [00:05] words". The header is not speech; every word below it is kept,
in order. A time beside a name must look like a stamp (bracketed, h:mm:ss, or set apart by two spaces as
Otter does), and a file is read this way only when at least two lines have such a header and their times
never go back: so "Doors opened at 9:30" stays text. This reader's own `[00:05] Jane Doe: words` is left
to plaintext.py. A line that is not a header and not speech, a tool's footer ("Transcribed by
https://otter.ai", Google Meet's "Meeting ended after 00:04:12"), is left out rather than quoted as the last
speaker's words.
"""

from __future__ import annotations

import re

from cxinsight.sources.labels import accepted_labels
from cxinsight.util.clock import clock

_TIME = r"(?:\d{1,2}:)?\d{1,3}:\d{2}(?:[.,]\d{1,3})?"
_FULL = r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?"
_NAME = r"[A-Z][\w.'’\-]*(?:[ \t]+[\w.'’\-]+){0,4}"
_STAMPED = rf"(?:[(\[](?P<time>{_TIME})[)\]]|(?P<full>{_FULL}))"
_SEP = r"(?:[-–|][ \t]*)?"
# Lines a tool adds that nobody said: Otter's "Transcribed by https://otter.ai", Google Meet's "Meeting ended after
# 00:04:12 👋". Left out rather than quoted as the last speaker's words.
TOOL_FOOTER = re.compile(r"^\s*(?:Transcribed by (?:https?://)?otter\.ai/?|Meeting ended after \d{1,2}:\d{2}:\d{2}\W*)\s*$", re.I)
_BOLD = r"(?:\*\*|__)?"  # Markdown-minded exports embolden the header: "**Speaker 1 (00:00):**"
_HEADERS = [
    # "Jane Doe  0:05" (Otter), "Jane Doe (00:00:05):", "Jane Doe | 00:00:05", Zoom's saved captions "[Jane Doe] 14:02:11"
    re.compile(rf"^\s*{_BOLD}(?P<open>\[)?(?P<name>{_NAME})(?(open)\])(?:[ \t]*{_STAMPED}|(?:[ ]{{2,}}|\t|[ \t]*[|–][ \t]*|(?<=\])[ \t]+)"
               rf"[ \t]*(?P<bare>{_TIME}))[ \t]*:?{_BOLD}\s*$"),
    re.compile(rf"^\s*{_STAMPED}[ \t]*{_SEP}(?P<name>{_NAME})?[ \t]*:?\s*$"),
    re.compile(rf"^\s*(?P<bare>{_TIME})\s*$"),
]
BARE_TIME = _HEADERS[-1]  # a time alone on its line
_INLINE = [
    re.compile(rf"^\s*{_BOLD}(?P<name>{_NAME})[ \t]*{_STAMPED}[ \t]*:{_BOLD}[ \t]+(?P<text>\S.*)$"),
    # a spreadsheet saved as text: time, name and words in tab-separated columns
    re.compile(rf"^\s*(?P<full>{_FULL}|{_TIME})\t+(?P<name>{_NAME})\t+(?P<text>\S.*)$"),
    # time first, not in square brackets: "[00:05] Jane Doe: words" is plaintext.py's own layout
    re.compile(rf"^\s*(?:\((?P<time>{_TIME})\)|(?P<full>{_FULL}))[ \t]+{_SEP}(?P<name>{_NAME}):[ \t]+(?P<text>\S.*)$"),
    re.compile(rf"^\s*(?P<name>{_NAME}):[ \t]+{_STAMPED}[ \t]+(?P<text>\S.*)$"),
]


def _match(patterns: list[re.Pattern], line: str) -> re.Match | None:
    return next((m for m in (p.match(line) for p in patterns) if m), None)


def _seconds(match: re.Match) -> float:
    groups = match.groupdict()
    time = next(groups[g] for g in ("time", "full", "bare") if groups.get(g)).replace(",", ".")
    *hours_minutes, seconds = time.split(":")
    return sum(int(v) * 60 ** (len(hours_minutes) - i) for i, v in enumerate(hours_minutes)) + float(seconds)


def service_turns(lines: list[str], known_names: frozenset = frozenset()) -> list[dict] | None:
    """Turns ({"speaker", "text", "stamp"}) when the text is laid out as a service's export, else None."""
    found = [(i, h, None) if h else (i, None, _match(_INLINE, line))
             for i, line in enumerate(lines) for h in [_match(_HEADERS, line)]]
    found = [f for f in found if f[1] or f[2]]
    stamps = [_seconds(h or inline) for _, h, inline in found]
    if len(found) < 2 or any(b < a for a, b in zip(stamps, stamps[1:])):
        return None
    # A name on a header line of its own is a speaker; one before a colon needs the evidence any label does.
    speakers = accepted_labels([m["name"] for _, _, m in found if m], known_names, every_turn_labelled=True)
    starts = {i: (h, inline, stamp) for (i, h, inline), stamp in zip(found, stamps)}
    turns: list[dict] = []
    for i, line in enumerate(lines):
        if i in starts:
            header, inline, stamp = starts[i]
            name = ((header or inline).groupdict().get("name") or "").strip()
            if header:
                turns.append({"speaker": name, "text": "", "stamp": stamp})
            elif name in speakers:
                turns.append({"speaker": name, "text": inline["text"].strip(), "stamp": stamp})
            else:  # "00:01:10 Here's the thing: nobody…": the phrase stays in the words
                turns.append({"speaker": "", "text": f"{name}: {inline['text'].strip()}", "stamp": stamp})
        elif line.strip() and not TOOL_FOOTER.match(line):
            if not turns:  # a title or preamble before the first header
                turns.append({"speaker": "", "text": "", "stamp": None})
            turns[-1]["text"] = f"{turns[-1]['text']} {line.strip()}".strip()
    turns = [t for t in turns if t["text"]]
    # Zoom's saved captions stamp the time of day ("[Jane Doe] 14:02:11"): counted from the first, as the recording is.
    if all(h and h.groupdict().get("open") for _, h, _ in found) and stamps[0] >= 3600:
        for turn in turns:
            turn["stamp"] = turn["stamp"] - stamps[0] if turn["stamp"] is not None else None
        turns[0]["note"] = f"stamps are times of day (the first {clock(stamps[0])}); counted from it"
    return turns
