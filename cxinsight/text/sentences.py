"""Split a Transcript into Sentences and group them into retrieval Passages.

Sentences are built per speaker turn, so a sentence that a subtitle file split
across two cues is still one sentence. Each token carries a time (from Whisper's
word timestamps when present, else interpolated inside its segment), so a
sentence's start/end is where it is spoken.
"""

from __future__ import annotations

import re

from cxinsight.models import Passage, Segment, Sentence, Transcript

MAX_SENTENCE_WORDS = 60  # unpunctuated speech is cut so citations stay short
MAX_SENTENCE_SECONDS = 30.0  # ... and so is a long run of unspaced (CJK) or unpunctuated text
LONG_CUE_SECONDS = 8.0  # inside a longer cue without word times, an interpolated time is marked estimated
WORDS_PER_SECOND = 2.5  # a talking pace (sources/textfile.py estimates unstamped text at the same)
GAP_FACTOR = 3.0  # a segment this many times longer than its words take holds silence or unrecorded talk
# In an unpunctuated turn (auto-captions: `_unpunctuated`), a cue's end after this many words ends the sentence.
# Cue ends are the only structure such text has. Measured held out over the 58 tuning documents
# (eval --train-head): word F1 0.744 with the 60-word cut alone, 0.758 at 20 words, 0.753 at 12.
CUE_WORDS = 20
UNPUNCTUATED_MIN_WORDS = 25  # a turn this long with fewer sentence ends than one per this many words
PAUSE_SECONDS = 1.5  # with real word times, a pause this long after 8+ words ends an unpunctuated sentence
# Chinese/Japanese full stops end a sentence with no space after them: split tokens there.
_CJK_PIECE = re.compile(r".*?[。！？]+[」』）”’]*|.+$", re.S)
_CJK_END = re.compile(r"[。！？][」』）”’]*$")
_ABBREVIATIONS = {"mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "e.g.", "i.e.", "etc.", "inc.", "co.", "no."}
_END = re.compile(r"[.!?…]+[\"'”’)\]]*$")
_STARTS_SENTENCE = re.compile(r"^[\"'“‘(\[]*[A-Z0-9]")


def _split_cjk(timed: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    out = []
    for text, start, end in timed:
        pieces = [p for p in _CJK_PIECE.findall(text) if p] if any(c in text for c in "。！？") else [text]
        if len(pieces) == 1:
            out.append((text, start, end))
            continue
        total, at = sum(len(p) for p in pieces), start
        for piece in pieces:
            step = (end - start) * len(piece) / total
            out.append((piece, at, at + step))
            at += step
    return out


def _timed_tokens(segment: Segment) -> list[tuple[str, float, float]]:
    if segment.words:
        return _split_cjk([(w.text, w.start, w.end) for w in segment.words if w.text])
    return _split_cjk(_interpolated(segment))


def _interpolated(segment: Segment) -> list[tuple[str, float, float]]:
    """Times spread over the segment by characters. A segment far longer than its words take to say
    (a stamped line whose next stamp is minutes later) is spoken from its start at a talking pace, so
    its sentences keep the time they are said and are not cut by the seconds cap."""
    tokens = segment.text.split()
    if not tokens:
        return []
    span = max(segment.end - segment.start, 0.0)
    spoken = len(tokens) / WORDS_PER_SECOND
    if span > MAX_SENTENCE_SECONDS and span > GAP_FACTOR * spoken:
        span = spoken
    total = sum(len(t) + 1 for t in tokens)
    timed, at = [], segment.start
    for token in tokens:
        step = span * (len(token) + 1) / total
        timed.append((token, at, at + step))
        at += step
    return timed


_HEADING_WORDS = 10


def _heading(segment: Segment) -> bool:
    """A short unpunctuated paragraph of text: a heading, a byline, a list item."""
    words = segment.text.split()
    return 0 < len(words) <= _HEADING_WORDS and not _END.search(words[-1]) and not words[-1].endswith((",", ";", ":"))


def _turns(transcript: Transcript) -> list[tuple[str, list[tuple[str, float, float]], set[int], set[int]]]:
    """(speaker, timed tokens, indices of tokens that end a block, indices that end a cue) per turn. In text (a
    .txt, .md, .html or .docx source) a heading is a paragraph of its own: it ends a sentence, and so does the
    paragraph before it, so "Lessons for other insurers" is not the start of the paragraph below. A subtitle cue
    or a Whisper segment may end mid-sentence, so there it does not; its end is only a place to cut an
    unpunctuated run (`_unpunctuated`)."""
    paragraphs = transcript.source_format in ("txt", "html")
    turns: list[tuple[str, list, set[int], set[int]]] = []
    for seg in transcript.segments:
        tokens = _timed_tokens(seg)
        if not tokens:
            continue
        if not (turns and turns[-1][0] == seg.speaker):
            turns.append((seg.speaker, [], set(), set()))
        elif paragraphs and _heading(seg) and turns[-1][1]:
            turns[-1][2].add(len(turns[-1][1]) - 1)
        turns[-1][1].extend(tokens)
        turns[-1][3].add(len(turns[-1][1]) - 1)
        if paragraphs and _heading(seg):
            turns[-1][2].add(len(turns[-1][1]) - 1)
    return turns


def _unpunctuated(tokens: list[tuple[str, float, float]]) -> bool:
    """Auto-captions and livestream text: a long turn with (almost) no sentence ends."""
    ends = sum(bool(_END.search(t[0])) or bool(_CJK_END.search(t[0])) for t in tokens)
    return len(tokens) >= UNPUNCTUATED_MIN_WORDS and ends * UNPUNCTUATED_MIN_WORDS < len(tokens)


def _ends_sentence(token: str, following: str | None) -> bool:
    if _CJK_END.search(token):
        return True
    if not _END.search(token) or token.lower() in _ABBREVIATIONS:
        return False
    return following is None or bool(_STARTS_SENTENCE.match(following))


def split_sentences(transcript: Transcript, episode_id: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    timed_words = any(seg.words for seg in transcript.segments)  # pauses are only real with Whisper's word times
    for speaker, tokens, block_ends, cue_ends in _turns(transcript):
        current: list[tuple[str, float, float]] = []
        soft = cue_ends if _unpunctuated(tokens) else set()
        for i, token in enumerate(tokens):
            current.append(token)
            following = tokens[i + 1][0] if i + 1 < len(tokens) else None
            paused = following is not None and timed_words and len(current) >= 8 and tokens[i + 1][1] - token[2] >= PAUSE_SECONDS
            if (following is None or i in block_ends or _ends_sentence(token[0], following) or len(current) >= MAX_SENTENCE_WORDS
                    or current[-1][2] - current[0][1] >= MAX_SENTENCE_SECONDS or paused
                    or (i in soft and len(current) >= CUE_WORDS)):
                index = len(sentences)
                sentences.append(
                    Sentence(
                        id=f"{episode_id}:{index:05d}",
                        index=index,
                        text=" ".join(t[0] for t in current),
                        speaker=speaker,
                        start=round(current[0][1], 2),
                        end=round(current[-1][2], 2),
                    )
                )
                current = []
    return _mark_estimated(transcript, sentences)


def _mark_estimated(transcript: Transcript, sentences: list[Sentence]) -> list[Sentence]:
    """Flag sentences whose start or end falls inside a long cue with no word times (interpolated, not heard)."""
    long_cues = [(s.start, s.end) for s in transcript.segments if not s.words and s.end - s.start > LONG_CUE_SECONDS]
    if not long_cues or transcript.times_estimated:  # whole-episode estimates are flagged on the episode already
        return sentences
    exact = exact_times(transcript)
    for sentence in sentences:
        inside = any(a - 0.01 <= sentence.start <= b + 0.01 for a, b in long_cues)
        if inside and (round(sentence.start, 2) not in exact or round(sentence.end, 2) not in exact):
            sentence.estimated = True
    return sentences


def one_voice_runs(positions: list[int], sentences: list[Sentence]) -> list[list[int]]:
    """`positions` (ascending) cut wherever the speaker changes: a tactic mention is one speaker's words, so a
    host's question beside the answer is neither credited to the guest nor quoted with the answer."""
    runs: list[list[int]] = []
    for i in positions:
        if runs and sentences[i].speaker == sentences[runs[-1][-1]].speaker:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def exact_times(transcript: Transcript) -> set[float]:
    """Every time the source itself gives: cue and segment bounds, and word times."""
    exact = {round(t, 2) for seg in transcript.segments for t in (seg.start, seg.end)}
    return exact | {round(t, 2) for seg in transcript.segments for w in (seg.words or []) for t in (w.start, w.end)}


def span_estimated(group: list[Sentence], exact: set[float] | None) -> bool:
    """Whether the times a span of sentences shows (first start, last end) were interpolated. A sentence
    estimated inside it does not count when both ends are the source's own times (a long cue, whole).
    `exact` None: the source's times are unknown here, so any estimated sentence counts."""
    if not any(s.estimated for s in group):
        return False
    return exact is None or round(group[0].start, 2) not in exact or round(group[-1].end, 2) not in exact


def group_passages(sentences: list[Sentence], episode_id: str, max_sentences: int = 3, max_words: int = 80,
                   exact: set[float] | None = None) -> list[Passage]:
    """Consecutive sentences of one speaker, a few at a time: big enough to embed, small enough to cite.
    `exact` (exact_times) lets a passage that spans a long cue whole show its times as exact."""
    passages: list[Passage] = []
    group: list[Sentence] = []

    def flush() -> None:
        if group:
            passages.append(
                Passage(
                    id=f"{episode_id}:p{len(passages):05d}",
                    episode_id=episode_id,
                    sentence_ids=[s.id for s in group],
                    text=" ".join(s.text for s in group),
                    speaker=group[0].speaker,
                    start=group[0].start,
                    end=group[-1].end,
                    times_estimated=span_estimated(group, exact),
                )
            )
            group.clear()

    for sentence in sentences:
        words = sum(len(s.text.split()) for s in group) + len(sentence.text.split())
        if group and (sentence.speaker != group[0].speaker or len(group) >= max_sentences or words > max_words):
            flush()
        group.append(sentence)
    flush()
    return passages


def is_question(text: str) -> bool:
    """A question is context, never evidence: every sentence of the text ends with a question mark, or a short
    text (25 words at most) ends with one, an interviewer's lead-in and question ("You got rid of loyalty points.
    Why?" had been cited as the answer to "Why did they drop points?"). No passage in the tuning sets' top five
    hits has that shape, so no tuning figure moved."""
    parts = [p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p]
    if not parts:
        return False
    asks = [p.rstrip("\"')”’").endswith("?") for p in parts]
    return all(asks) or (asks[-1] and len(text.split()) <= _LEAD_IN_WORDS)


_LEAD_IN_WORDS = 25
