"""RSS/Atom podcast feeds (feedparser): one BatchItem per entry.

Every `<podcast:transcript>` of an entry is considered (feedparser keeps only the last one, so the
item XML is read here too). The best is chosen by language (the feed's), then type (JSON > VTT >
SRT > text > HTML); `rel="captions"` files only when nothing better exists. The others, then the
audio/video enclosure, are kept as fallbacks: a transcript that cannot be downloaded falls back to
the next, with a line saying so. Relative URLs are resolved against the feed's URL. Downloads land
in the store's media folder under the episode id, a slug, so a hostile title or URL cannot write
outside it.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urljoin, urlparse

from cxinsight.errors import InputError
from cxinsight.sources.discover import AUDIO_EXTENSIONS
from cxinsight.sources.items import BatchItem
from cxinsight.sources.metadata import slugify

TRANSCRIPT_TYPES = {
    "application/json": ".json", "text/vtt": ".vtt", "application/x-subrip": ".srt", "application/srt": ".srt",
    "text/srt": ".srt", "text/plain": ".txt", "text/html": ".html",
}
_TYPE_RANK = {".json": 0, ".vtt": 1, ".srt": 2, ".txt": 3, ".html": 4}
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


def _item_tags(data: bytes) -> tuple[dict, list[dict]] | None:
    """The channel's people, and every item's <podcast:transcript>s and people, in feed order.

    People are `<podcast:person role="host|guest">Name</podcast:person>` (the role defaults to host,
    as the Podcasting 2.0 namespace says). None when the XML cannot be read this way.
    """
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return None

    def podcast(element, name: str) -> bool:
        return isinstance(element.tag, str) and element.tag.endswith("}" + name) and "podcast" in element.tag.lower()

    def people(elements) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for e in elements:
            if podcast(e, "person") and (e.text or "").strip():
                role = (e.get("role") or "host").strip().lower()
                found.setdefault(role, []).append(" ".join(e.text.split()))
        return found

    items = [e for e in root.iter() if e.tag in ("item", "{http://www.w3.org/2005/Atom}entry")]
    channel = next((e for e in root.iter() if e.tag == "channel"), root)
    found = [{"transcripts": [dict(t.attrib) for t in item.iter() if podcast(t, "transcript")],
              "people": people(item.iter())} for item in items]
    return people(list(channel)), found


def _language(code: str | None) -> str:
    return (code or "").strip().lower().split("-")[0].split("_")[0]


def _ranked(transcripts: list[dict], language: str) -> list[tuple[str, str]]:
    """(url, extension) best first: the feed's language, then JSON > VTT > SRT > text > HTML, captions last."""
    usable = []
    for t in transcripts:
        ext = TRANSCRIPT_TYPES.get(str(t.get("type", "")).split(";")[0].strip().lower())
        if t.get("url") and ext:
            other_language = bool(language and _language(t.get("language")) not in ("", language))
            usable.append(((t.get("rel") == "captions", other_language, _TYPE_RANK[ext]), t["url"], ext))
    return [(url, ext) for _, url, ext in sorted(usable, key=lambda u: u[0])]


def _choice(url: str, target: Path, feed_dir: Path | None) -> tuple[str, Path]:
    """(URL to download, where to), or ("", the file) for a file in a local feed's folder: read in place. A file
    elsewhere stays a file: URL, which downloading refuses: a feed saved from the web must not make this
    machine's other files part of an archive that may be published."""
    parsed = urlparse(url)
    if parsed.scheme == "file" and feed_dir is not None:
        from urllib.request import url2pathname

        local = Path(url2pathname(parsed.path)).resolve()
        if local.is_relative_to(feed_dir):
            return "", local
    return url, target


def read_feed(spec: str, media_dir: Path) -> list[BatchItem]:
    import feedparser

    data = _load(spec)
    parsed = feedparser.parse(data)
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        reason = getattr(parsed.get("bozo_exception"), "getMessage", lambda: "")() or "no items"
        raise InputError(spec, f"not an RSS or Atom feed ({reason})")
    show = parsed.feed.get("title", "")
    language = _language(parsed.feed.get("language"))
    # A feed file on disk may name files in its folder ("ep1.vtt", "file:///…"); a feed from the web never names
    # this machine's files.
    feed_dir = None if spec.lower().startswith(("http://", "https://")) else Path(spec).resolve().parent
    base = feed_dir.as_uri() + "/" if feed_dir else spec
    tags = _item_tags(data)
    channel_people, every = tags if tags is not None else ({}, None)
    if every is not None and len(every) != len(parsed.entries):
        every = None
    # the host named by the feed: a channel <podcast:person role="host">, else its itunes:author
    show_host = (channel_people.get("host") or [parsed.feed.get("author", "")])[0]
    items, seen = [], set()
    for number, entry in enumerate(parsed.entries, 1):
        title = entry.get("title") or f"item {number}"
        episode_id = slugify(title)
        while episode_id in seen:
            episode_id = f"{episode_id}-{number}"
        seen.add(episode_id)
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        people = every[number - 1]["people"] if every is not None else {}
        link = entry.get("link", "")
        # feedparser takes a <guid> for the link when there is none; a guid like "cm-2" is an id, not a page
        link = link if urlparse(link).scheme in ("http", "https") else ""
        overrides = {"title": title, "show": show, "url": link,
                     "date": time.strftime("%Y-%m-%d", published) if published else "",
                     "host": (people.get("host") or [show_host])[0],
                     "guest": " and ".join(people.get("guest", []))}
        item = BatchItem(f"feed item '{title}'", episode_id, overrides=overrides)
        transcripts = (every[number - 1]["transcripts"] if every is not None
                       else [entry.get("podcast_transcript") or {}])
        choices = [_choice(urljoin(base, url), media_dir / f"{episode_id}{ext}", feed_dir)
                   for url, ext in _ranked(transcripts, _language(entry.get("language")) or language)]
        media = [e for e in entry.get("enclosures", []) if e.get("href")]
        if media:
            href = urljoin(base, media[0]["href"])
            ext = _media_ext(href, media[0].get("type", ""))
            if ext:
                choices.append(_choice(href, media_dir / f"{episode_id}{ext}", feed_dir))
            elif not choices:
                item.error = f"feed item '{title}': enclosure type '{media[0].get('type', '?')}' is not audio or video"
        if choices:
            (item.url, item.path), item.alternates = choices[0], choices[1:]
        elif not item.error:
            item.error = f"feed item '{title}' has no enclosure (no audio, video or transcript to ingest)"
        items.append(item)
    return items
