"""HTML transcripts (as podcast feeds link them): paragraphs kept, speakers from <cite>, times from <time>.

The Podcasting 2.0 HTML form is `<cite>Name:</cite> <time>0:53</time> <p>text</p>`; any other page is
read as its paragraphs (p, li, h1-h6, blockquote, br; each line of a <pre>) with scripts and styles left out.

A web page is more than its transcript: when it marks its content (<main>, <article>) only that is read, and
the page's furniture is left out wherever it stands: navigation, footers, forms, players, and blocks whose class
or id says what they are (a cookie banner, comments, share buttons, a byline). Otherwise a visitor's comment
was read as the guest's words, and "We use cookies…" became the first chapter.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from cxinsight.models import Transcript
from cxinsight.sources.plaintext import parse_plaintext

_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article", "main",
           "pre", "dd", "dt", "figcaption"}
_SKIP = {"script", "style", "head", "title", "noscript", "nav", "footer", "aside", "form", "button", "select",
         "template", "svg", "dialog", "iframe", "audio", "video", "object"}
# Class or id words of page furniture ("cookie-banner", "comments", "share-links", "post-meta").
_FURNITURE = {"cookie", "cookies", "consent", "gdpr", "banner", "comment", "comments", "newsletter", "subscribe",
              "share", "sharing", "social", "related", "sidebar", "breadcrumb", "breadcrumbs", "menu", "navbar",
              "advert", "advertisement", "ads", "promo", "popup", "modal", "byline", "meta", "signup", "skip"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


def _furniture(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """Left out with all it holds: a skipped tag, AMP's players and ads ("amp-audio"), what is hidden or only
    shown when a player fails ("Your browser doesn't support HTML5 audio."), and blocks named as furniture."""
    if tag in _SKIP or tag.startswith("amp-") and tag not in ("amp-story", "amp-accordion"):
        return True
    names = dict(attrs)
    if {"hidden", "fallback", "placeholder"} & set(names) or names.get("aria-hidden") == "true":
        return True
    words = {w for name, value in attrs if name in ("class", "id") and value for w in re.split(r"[\s_\-]+", value.lower())}
    return bool(words & _FURNITURE)


class _Paragraphs(HTMLParser):
    def __init__(self, content_only: bool):
        super().__init__(convert_charrefs=True)  # character references decoded once, here
        self.content_only = content_only  # the page marks its content with <main> or <article>
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # open elements, each with "left out" (it or an ancestor)
        self.pending_label = self.pending_time = ""
        self.where = ""
        self.h1 = self.page_title = ""
        self.heading: list[str] | None = None  # the first <h1>'s text while it is read
        self.in_title = self.in_pre = False

    @property
    def left_out(self) -> bool:
        if self.stack and self.stack[-1][1]:
            return True
        return self.content_only and not any(tag in ("main", "article") for tag, _ in self.stack)

    def flush(self) -> None:
        text = " ".join("".join(self.current).split())
        self.current = []
        if not text:
            return
        prefix = f"[{self.pending_time}] " if self.pending_time else ""
        if self.pending_label:
            prefix += self.pending_label.rstrip(":").strip() + ": "
        self.pending_label = self.pending_time = ""
        self.blocks.append(prefix + text)

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if tag == "h1" and not self.h1 and self.heading is None:
            self.heading = []
        if tag not in _VOID:
            skip = (bool(self.stack) and self.stack[-1][1]) or _furniture(tag, attrs)
            self.stack.append((tag, skip))
        if tag == "pre":
            self.in_pre = True
        if tag in ("cite", "time"):
            self.flush()
            self.where = tag
        elif tag in _BLOCKS or tag == "br":
            self.flush()

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag == "h1" and self.heading is not None:
            self.h1, self.heading = " ".join("".join(self.heading).split()), None
        if tag == "pre":
            self.in_pre = False
        if any(open_tag == tag for open_tag, _ in self.stack):  # close it and whatever was left open inside it
            while self.stack and self.stack.pop()[0] != tag:
                pass
        if tag in ("cite", "time"):
            self.where = ""
        elif tag in _BLOCKS:
            self.flush()

    def handle_data(self, data):
        if self.in_title:
            self.page_title += data
        if self.heading is not None:
            self.heading.append(data)
        if self.left_out:
            return
        if self.where == "cite":
            self.pending_label += data
        elif self.where == "time":
            self.pending_time += data.strip()
        elif self.in_pre and "\n" in data:  # a transcript pasted as preformatted text: its lines are its turns
            first, *rest = data.split("\n")
            self.current.append(first)
            for line in rest:
                self.flush()
                self.current.append(line)
        else:
            self.current.append(data)


def parse_html(text: str, known_names: frozenset = frozenset()) -> Transcript:
    reader = _Paragraphs(content_only=bool(re.search(r"<(?:main|article)[\s>]", text, re.I)))
    reader.feed(text)
    reader.close()
    reader.flush()
    # <cite> names are speaker labels by the format's own definition: they count as known names.
    cited = frozenset(b.split("] ", 1)[-1].split(":", 1)[0] for b in reader.blocks if ": " in b)
    transcript = parse_plaintext("\n\n".join(reader.blocks), known_names | cited if "<cite" in text else known_names)
    # The page's own heading names it better than <title>, which often carries the site's name too.
    title = reader.h1 or " ".join(reader.page_title.split())
    return transcript.model_copy(update={"source_format": "html", "title": title})
