"""JSON transcripts: cxinsight's own, openai-whisper's and whisperX's output, whisper.cpp's `-oj`, Podcasting 2.0,
and transcription services' responses: AssemblyAI (utterances), Deepgram (paragraphs), Rev.ai (monologues),
Amazon Transcribe (items, with speaker labels when diarized); YouTube's json3 captions (as yt-dlp saves them).

Optional fields stay optional: a word whisperX could not align (no start/end) keeps its text and
gets no time of its own; a Podcasting 2.0 segment without `endTime` ends where the next one starts.
"""

from __future__ import annotations

import json

from cxinsight.errors import InputError
from cxinsight.models import Segment, Transcript, Word


def _words(raw_words) -> list[Word] | None:
    """Timed words; an unaligned word (no start/end, as whisperX leaves numbers) joins its neighbour's time."""
    if not raw_words:
        return None
    words: list[Word] = []
    pending = ""
    for w in raw_words:
        text = str(w.get("word", w.get("text", ""))).strip()
        if w.get("start") is None or w.get("end") is None:
            if words:
                words[-1] = words[-1].model_copy(update={"text": f"{words[-1].text} {text}".strip()})
            else:
                pending = f"{pending} {text}".strip()
            continue
        words.append(Word(text=f"{pending} {text}".strip(), start=float(w["start"]), end=float(w["end"])))
        pending = ""
    return words or None


def _clock(stamp: str) -> float:
    hours, minutes, rest = stamp.replace(",", ".").split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def _from_whisper_cpp(data: dict) -> dict:
    """whisper.cpp `-oj`: {"transcription": [{"offsets": {"from": ms, "to": ms}, "timestamps": {...}, "text"}]}."""
    segments = []
    for row in data["transcription"]:
        offsets, stamps = row.get("offsets") or {}, row.get("timestamps") or {}
        start = offsets["from"] / 1000 if "from" in offsets else _clock(stamps["from"])
        end = offsets["to"] / 1000 if "to" in offsets else _clock(stamps["to"])
        segments.append({"start": start, "end": end, "text": row.get("text", "")})
    language = (data.get("result") or {}).get("language") or (data.get("params") or {}).get("language")
    return {"segments": segments, "language": language}


def _from_assemblyai(data: dict) -> dict:
    """AssemblyAI: {"utterances": [{"speaker": "A", "start": ms, "end": ms, "text"}], "language_code": "en_us"}."""
    segments = [{"start": u["start"] / 1000, "end": u["end"] / 1000, "text": u.get("text", ""),
                 "speaker": f"Speaker {u['speaker']}" if u.get("speaker") is not None else ""} for u in data["utterances"]]
    return {"segments": segments, "language": str(data.get("language_code") or "").split("_")[0]}


def _from_deepgram(data: dict) -> dict:
    """Deepgram with paragraphs: results.channels[0].alternatives[0].paragraphs.paragraphs[], each with its speaker
    (a number) and its sentences' times."""
    channel = data["results"]["channels"][0]
    paragraphs = channel["alternatives"][0]["paragraphs"]["paragraphs"]
    segments = [{"start": sentence["start"], "end": sentence["end"], "text": sentence.get("text", ""),
                 "speaker": f"Speaker {p['speaker']}" if p.get("speaker") is not None else ""}
                for p in paragraphs for sentence in p.get("sentences") or []]
    return {"segments": segments, "language": channel.get("detected_language") or ""}


def _from_revai(data: dict) -> dict:
    """Rev.ai: {"monologues": [{"speaker": 0, "speaker_name"?, "elements": [{"type": "text"|"punct", "value", "ts", "end_ts"}]}]}."""
    segments = []
    for monologue in data["monologues"]:
        elements = monologue.get("elements") or []
        timed = [e for e in elements if e.get("type") == "text" and e.get("ts") is not None]
        if not timed:
            continue
        name = monologue.get("speaker_name") or (f"Speaker {monologue['speaker']}" if monologue.get("speaker") is not None else "")
        segments.append({"start": timed[0]["ts"], "end": timed[-1].get("end_ts", timed[-1]["ts"]),
                         "text": "".join(str(e.get("value", "")) for e in elements), "speaker": name})
    return {"segments": segments}


def _aws_speakers(results: dict):
    """A word's speaker label in a diarized Amazon Transcribe job: on the word itself (newer jobs), else the speaker
    segment that lists it or whose time span holds its start (some jobs' segments list no items)."""
    spans = [(float(seg["start_time"]), float(seg["end_time"]), seg.get("speaker_label"), seg.get("items") or [])
             for seg in (results.get("speaker_labels") or {}).get("segments") or []]
    listed = {item["start_time"]: label for _, _, label, items in spans for item in items}

    def speaker_of(item: dict):
        if "speaker_label" in item:
            return item["speaker_label"]
        if item["start_time"] in listed:
            return listed[item["start_time"]]
        start = float(item["start_time"])
        return next((label for a, b, label, _ in spans if a <= start < b), None)

    return speaker_of, bool(spans) or any("speaker_label" in item for item in results["items"])


def _from_aws(data: dict) -> dict:
    """Amazon Transcribe: results.items[] of "pronunciation" words (start_time/end_time as strings) and
    "punctuation". A turn is one speaker's run of words; an undiarized job's text is cut at each sentence's end."""
    results = data["results"]
    speaker_of, diarized = _aws_speakers(results)
    segments: list[dict] = []
    for item in results["items"]:
        content = str(item["alternatives"][0]["content"])
        if item.get("type") == "punctuation":
            if segments:
                segments[-1]["text"] += content
                segments[-1]["closed"] = not diarized and content in ".?!"
            continue
        start, end = float(item["start_time"]), float(item["end_time"])
        label = speaker_of(item) if diarized else None
        # a diarized word no segment claims (at a segment's edge) stays with the turn it is in
        speaker = f"Speaker {str(label).removeprefix('spk_')}" if label is not None else (
            segments[-1]["speaker"] if segments and diarized else "")
        word = {"word": content, "start": start, "end": end}
        last = segments[-1] if segments else None
        if last and last["speaker"] == speaker and not last["closed"]:
            last.update(text=f"{last['text']} {content}", end=end)
            last["words"].append(word)
        else:
            segments.append({"start": start, "end": end, "text": content, "speaker": speaker, "words": [word], "closed": False})
    language = str(results.get("language_code") or data.get("LanguageCode") or "").split("-")[0]
    return {"segments": segments, "language": language}


def _from_youtube_json3(data: dict) -> dict:
    """YouTube's json3 captions: events[] of {"tStartMs", "dDurationMs", "segs": [{"utf8", "tOffsetMs"?}]}. An
    automatic caption's segs are its words, timed by offset; a line break is an event of its own. An event is shown
    until the next one starts, so its end is the earlier of the two."""
    events = [e for e in data["events"] if "".join(str(g.get("utf8", "")) for g in e.get("segs") or []).strip()]
    segments = []
    for i, event in enumerate(events):
        start = float(event["tStartMs"]) / 1000
        end = start + float(event.get("dDurationMs", 0)) / 1000
        if i + 1 < len(events):
            end = min(end, float(events[i + 1]["tStartMs"]) / 1000) if end > start else float(events[i + 1]["tStartMs"]) / 1000
        pieces = [(round(start + float(g.get("tOffsetMs", 0)) / 1000, 3), str(g.get("utf8", ""))) for g in event["segs"]]
        pieces = [(at, text) for at, text in pieces if text.strip()]
        words = None
        if len(pieces) > 1 and any("tOffsetMs" in g for g in event["segs"]):
            words = [{"word": text.strip(), "start": at, "end": max(at, pieces[k + 1][0] if k + 1 < len(pieces) else end)}
                     for k, (at, text) in enumerate(pieces)]
        segments.append({"start": start, "end": max(start, end), "text": "".join(text for _, text in pieces), "words": words})
    return {"segments": segments}


def _service(data) -> str:
    """Which transcription service's JSON this is, by its shape ("" when none this reader knows)."""
    if not isinstance(data, dict):
        return ""
    if isinstance(data.get("utterances"), list):
        return "assemblyai"
    if isinstance(data.get("monologues"), list):
        return "revai"
    if isinstance(data.get("events"), list) and any(isinstance(e, dict) and "segs" in e for e in data["events"]):
        return "youtube json3"
    results = data.get("results")
    if isinstance(results, dict) and isinstance(results.get("items"), list) and isinstance(results.get("transcripts"), list):
        return "aws"
    try:
        if isinstance(data["results"]["channels"][0]["alternatives"][0]["paragraphs"]["paragraphs"], list):
            return "deepgram"
    except (KeyError, IndexError, TypeError):
        pass
    return ""


_SERVICES = {"assemblyai": _from_assemblyai, "deepgram": _from_deepgram, "revai": _from_revai, "aws": _from_aws, "youtube json3": _from_youtube_json3}


def parse_json(text: str, path) -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if isinstance(data, dict) and isinstance(data.get("transcript"), dict):
        data = data["transcript"]  # an exported episode
    if isinstance(data, dict) and isinstance(data.get("transcription"), list):
        data = _from_whisper_cpp(data)
    if service := _service(data):
        try:
            data = _SERVICES[service](data)
        except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError) as exc:
            raise InputError(path, f"{service} JSON without the fields a transcript needs ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        known = ("cxinsight's, openai-whisper's, whisperX's, whisper.cpp's, Podcasting 2.0's, AssemblyAI's utterances, "
                 "Deepgram's paragraphs, Rev.ai's monologues, Amazon Transcribe's items, YouTube's json3 events")
        raise InputError(path, f"JSON transcript needs a 'segments' list ({known}); "
                               "for other services, export SRT or WebVTT")
    segments = []
    rows = data["segments"]
    for i, raw in enumerate(rows):
        try:
            words = _words(raw.get("words")) if isinstance(raw, dict) else None
            if "startTime" in raw:  # the Podcasting 2.0 JSON transcript format; endTime is optional
                following = rows[i + 1].get("startTime") if i + 1 < len(rows) and isinstance(rows[i + 1], dict) else None
                end = raw.get("endTime", following if following is not None else raw["startTime"])
                raw = {"start": raw["startTime"], "end": end, "text": raw["body"], "speaker": raw.get("speaker")}
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
        language=str(data.get("language") or ""),
        times_estimated=bool(data.get("times_estimated", False)),
        source_format="json",
    )
