"""What a podcast feed links to, for one episode: Podcasting 2.0 chapters, transcripts, soundbites, tags.

    chapters.json     JSON chapters (version 1.2.0): show-notes chapters plus one per key tactic
    transcript.vtt    WebVTT with <v Speaker> voices
    transcript.srt    SubRip with "Speaker:" prefixes
    transcript.json   Podcasting 2.0 JSON transcript (segments: speaker, startTime, endTime, body)
    soundbites.xml    <podcast:soundbite> lines for the best 1-3 quotes (15-60 s of whole sentences)
    item-snippet.xml  <podcast:transcript>, <podcast:chapters> and <podcast:person> tags for the <item>
    shownotes.md      the show notes, as `cxinsight shownotes` prints them

The JSON files are checked against schemas written from the Podcasting 2.0 documents before
they are written, and every file is written whole or not at all.
"""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape
from pathlib import Path

from cxinsight.errors import UsageError

CHAPTERS_VERSION = "1.2.0"
TRANSCRIPT_VERSION = "1.0.0"
SOUNDBITE_MIN, SOUNDBITE_MAX = 15.0, 60.0
TACTIC_CHAPTER_GAP = 15.0  # a tactic that starts this close to an existing chapter does not get its own
TRANSCRIPTS = (("transcript.vtt", "text/vtt"), ("transcript.srt", "application/x-subrip"),
               ("transcript.json", "application/json"))


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    return json.loads((Path(__file__).parent / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


def check(document: dict, name: str) -> None:
    """Raise with the first problem when `document` does not follow the named Podcasting 2.0 schema."""
    import jsonschema

    errors = sorted(jsonschema.Draft202012Validator(schema(name)).iter_errors(document), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "(root)"
        raise ValueError(f"{name}: {where}: {errors[0].message}")


def chapters_document(notes: dict) -> dict:
    """Show-notes chapters, plus a chapter where each key tactic is first discussed."""
    chapters = [{"startTime": round(c["start"], 3), "title": c["title"]} for c in notes["chapters"]]
    for tactic in notes["tactics"]:
        named = any(tactic["name"].lower() in c["title"].lower() for c in chapters)  # already a chapter of its own
        if not named and all(abs(tactic["start"] - c["startTime"]) >= TACTIC_CHAPTER_GAP for c in chapters):
            chapters.append({"startTime": round(tactic["start"], 3), "title": f"Tactic: {tactic['name']}"})
    chapters.sort(key=lambda c: c["startTime"])
    document = {"version": CHAPTERS_VERSION, "title": notes["title"], "chapters": chapters}
    if notes.get("show"):
        document["podcastName"] = notes["show"]
    check(document, "podcast-chapters")
    return document


def transcript_document(transcript) -> dict:
    segments = []
    for seg in transcript.segments:
        row = {"startTime": round(seg.start, 3), "endTime": round(max(seg.end, seg.start), 3), "body": seg.text.strip()}
        if seg.speaker:
            row = {"speaker": seg.speaker, **row}
        segments.append(row)
    document = {"version": TRANSCRIPT_VERSION, "segments": segments}
    check(document, "podcast-transcript")
    return document


def soundbites(sentences, quotes, limit: int = 3) -> list[dict]:
    """The best quotes widened to whole sentences lasting 15-60 s, without overlapping one another."""
    index = {(round(s.start, 3)): i for i, s in enumerate(sentences)}
    chosen: list[dict] = []
    for quote in quotes:
        first = index.get(round(quote.start, 3))
        if first is None or len(chosen) == limit:
            continue
        lo = hi = first
        while sentences[hi].end < quote.end and hi + 1 < len(sentences):
            hi += 1
        # widen forward first (the point usually follows), then back; never past 60 s
        while sentences[hi].end - sentences[lo].start < SOUNDBITE_MIN:
            if hi + 1 < len(sentences) and sentences[hi + 1].end - sentences[lo].start <= SOUNDBITE_MAX:
                hi += 1
            elif lo > 0 and sentences[hi].end - sentences[lo - 1].start <= SOUNDBITE_MAX:
                lo -= 1
            else:
                break
        start, end = sentences[lo].start, sentences[hi].end
        if not SOUNDBITE_MIN <= end - start <= SOUNDBITE_MAX:
            continue
        if any(start < b["startTime"] + b["duration"] and b["startTime"] < end for b in chosen):
            continue
        chosen.append({"startTime": round(start, 3), "duration": round(end - start, 3), "title": quote.text,
                       "speaker": quote.speaker})
    return sorted(chosen, key=lambda b: b["startTime"])


def soundbites_xml(bites: list[dict]) -> str:
    return "".join(f'<podcast:soundbite startTime="{b["startTime"]:.3f}" duration="{b["duration"]:.3f}">'
                   f'{escape(_short(b["title"]), quote=False)}</podcast:soundbite>\n' for b in bites)


def _short(text: str, limit: int = 128) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def item_snippet(base_url: str, host: str, guests: list[str]) -> str:
    base = base_url.rstrip("/") + "/" if base_url else ""
    lines = [f'<podcast:transcript url="{escape(base + name)}" type="{kind}"'
             + (' rel="captions"' if name.endswith(".vtt") else "") + " />" for name, kind in TRANSCRIPTS]
    lines.append(f'<podcast:chapters url="{escape(base + "chapters.json")}" type="application/json+chapters" />')
    if host:
        lines.append(f'<podcast:person role="host">{escape(host, quote=False)}</podcast:person>')
    lines += [f'<podcast:person role="guest">{escape(g, quote=False)}</podcast:person>' for g in guests]
    return "\n".join(lines) + "\n"


def publish_episode(archive, embedder, taxonomy, episode_id: str, out_dir: Path, base_url: str = "") -> list[Path]:
    """Write the episode's feed files into out_dir; returns the paths written."""
    from cxinsight.notes.quotes import find_quotes
    from cxinsight.notes.shownotes import build_shownotes, render_shownotes
    from cxinsight.text.formats import to_srt, to_vtt

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file, not a folder")
    episode, _ = archive.load_episode(episode_id)
    notes = build_shownotes(archive, embedder, taxonomy, episode_id)
    guests = [g.strip() for g in episode.meta.guest.replace(" and ", ",").split(",") if g.strip()]
    files = {
        "chapters.json": json.dumps(chapters_document(notes), indent=2, ensure_ascii=False) + "\n",
        "transcript.vtt": to_vtt(episode.transcript),
        "transcript.srt": to_srt(episode.transcript),
        "transcript.json": json.dumps(transcript_document(episode.transcript), indent=2, ensure_ascii=False) + "\n",
        "soundbites.xml": soundbites_xml(soundbites(episode.sentences, find_quotes(archive, episode_id=episode_id))),
        "item-snippet.xml": item_snippet(base_url, episode.meta.host, guests),
        "shownotes.md": render_shownotes(notes, "md"),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        target = out_dir / name
        tmp = target.with_name(f".{name}.part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        written.append(target)
    return written

