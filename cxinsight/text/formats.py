"""Write a Transcript as txt, srt, vtt or json — each readable again by `cxinsight ingest`."""

from __future__ import annotations

from datetime import timedelta

from cxinsight.errors import UsageError
from cxinsight.models import Transcript
from cxinsight.util.clock import clock

FORMATS = ("txt", "srt", "vtt", "json")


def _vtt_time(seconds: float) -> str:
    millis = int(round(max(seconds, 0.0) * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def to_txt(transcript: Transcript) -> str:
    """`[mm:ss] Speaker: text` paragraphs (speaker omitted when unknown). A transcript whose times were estimated
    (its source had none) is written without stamps, as its source was: a stamp would claim a time nobody took."""
    lines = []
    for seg in transcript.segments:
        who = f"{seg.speaker}: " if seg.speaker else ""
        when = "" if transcript.times_estimated else f"[{clock(seg.start)}] "
        lines.append(f"{when}{who}{seg.text}")
    return "\n\n".join(lines) + ("\n" if lines else "")


def to_srt(transcript: Transcript) -> str:
    import srt

    cues = [
        srt.Subtitle(i, timedelta(seconds=seg.start), timedelta(seconds=max(seg.end, seg.start + 0.01)),
                     f"{seg.speaker}: {seg.text}" if seg.speaker else seg.text)
        for i, seg in enumerate(transcript.segments, 1)
    ]
    return srt.compose(cues, reindex=False)


def to_vtt(transcript: Transcript) -> str:
    """WebVTT cue text is markup: &, < and > are written as character references (read back decoded)."""
    from html import escape

    import webvtt

    captions = [
        webvtt.Caption(_vtt_time(seg.start), _vtt_time(max(seg.end, seg.start + 0.01)),
                       f"<v {escape(seg.speaker, quote=False)}>{escape(seg.text, quote=False)}" if seg.speaker
                       else escape(seg.text, quote=False))
        for seg in transcript.segments
    ]
    content = webvtt.WebVTT(captions=captions).content
    if transcript.times_estimated:  # cue times need values; the NOTE says they are guesses, and is read back
        content = content.replace("WEBVTT\n", f"WEBVTT\n\nNOTE {ESTIMATED_NOTE}\n", 1)
    return content


# Written into a WebVTT export whose times were estimated, and recognised when the file is read again.
ESTIMATED_NOTE = "cxinsight: times estimated from word counts (the source had no timings)"


def to_json(transcript: Transcript) -> str:
    return transcript.model_dump_json(indent=2, exclude_none=True) + "\n"


def render_transcript(transcript: Transcript, fmt: str) -> str:
    writers = {"txt": to_txt, "srt": to_srt, "vtt": to_vtt, "json": to_json}
    if fmt not in writers:
        raise UsageError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    return writers[fmt](transcript)
