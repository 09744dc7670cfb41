"""RSS/Atom podcast feeds (feedparser): one BatchItem per entry.

An entry's `<podcast:transcript>` (VTT, SRT, JSON or text) is used instead of
transcribing when the feed offers one; otherwise its audio/video enclosure is
downloaded. Downloads land in the store's media folder under the episode id, a
slug, so a hostile title or URL cannot write outside it.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlparse

from cxinsight.errors import InputError
from cxinsight.sources.discover import AUDIO_EXTENSIONS
from cxinsight.sources.items import BatchItem
from cxinsight.sources.metadata import slugify

TRANSCRIPT_TYPES = {
    "text/vtt": ".vtt", "application/x-subrip": ".srt", "application/srt": ".srt", "text/srt": ".srt",
    "application/json": ".json", "text/plain": ".txt",
}
MEDIA_TYPES = {
    "audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/mp4": ".m4a", "audio/x-m4a": ".m4a", "audio/aac": ".m4a",
    "audio/ogg": ".ogg", "audio/opus": ".opus", "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/flac": ".flac",
    "video/mp4": ".mp4", "video/webm": ".webm", "video/quicktime": ".mov",
}


def _load(spec: str) -> bytes:
    if spec.lower().startswith(("http://", "https://")):
        from cxinsight.sources.download import read_url_text

        return read_url_text(spec)
    path = Path(spec)
    if not path.is_file():
        raise InputError(spec, "no such feed file (give a file or an http/https URL)")
    return path.read_bytes()


def _media_ext(url: str, mime: str) -> str:
    suffix = Path(urlparse(url).path).suffix.lower()
    if suffix in AUDIO_EXTENSIONS:
        return suffix
    return MEDIA_TYPES.get((mime or "").split(";")[0].strip().lower(), "")


def read_feed(spec: str, media_dir: Path) -> list[BatchItem]:
    import feedparser

    data = _load(spec)
    parsed = feedparser.parse(data)
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        reason = getattr(parsed.get("bozo_exception"), "getMessage", lambda: "")() or "no items"
        raise InputError(spec, f"not an RSS or Atom feed ({reason})")
    show = parsed.feed.get("title", "")
    items, seen = [], set()
    for number, entry in enumerate(parsed.entries, 1):
        title = entry.get("title") or f"item {number}"
        episode_id = slugify(title)
        while episode_id in seen:
            episode_id = f"{episode_id}-{number}"
        seen.add(episode_id)
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        overrides = {"title": title, "show": show, "url": entry.get("link", ""),
                     "date": time.strftime("%Y-%m-%d", published) if published else ""}
        item = BatchItem(f"feed item '{title}'", episode_id, overrides=overrides)
        transcript = entry.get("podcast_transcript") or {}
        t_ext = TRANSCRIPT_TYPES.get(str(transcript.get("type", "")).split(";")[0].strip().lower())
        if transcript.get("url") and t_ext:
            item.url, item.path = transcript["url"], media_dir / f"{episode_id}{t_ext}"
        else:
            media = [e for e in entry.get("enclosures", []) if e.get("href")]
            if not media:
                item.error = f"feed item '{title}' has no enclosure (no audio, video or transcript to ingest)"
            else:
                ext = _media_ext(media[0]["href"], media[0].get("type", ""))
                if not ext:
                    item.error = f"feed item '{title}': enclosure type '{media[0].get('type', '?')}' is not audio or video"
                else:
                    item.url, item.path = media[0]["href"], media_dir / f"{episode_id}{ext}"
        items.append(item)
    return items
