"""HTML transcripts (as podcast feeds link them): paragraphs kept, speakers from <cite>, times from <time>.

The Podcasting 2.0 HTML form is `<cite>Name:</cite> <time>0:53</time> <p>text</p>`; any other page is
read as its paragraphs (p, li, h1-h6, blockquote, br) with scripts and styles left out.
"""

from __future__ import annotations

from html.parser import HTMLParser

from cxinsight.models import Transcript
from cxinsight.sources.plaintext import parse_plaintext

_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article"}
_SKIP = {"script", "style", "head", "title", "noscript"}


class _Paragraphs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)  # character references decoded once, here
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skipping = 0
        self.pending_label = self.pending_time = ""
        self.where = ""
        self.h1 = self.page_title = ""
        self.heading: list[str] | None = None  # the first <h1>'s text while it is read
        self.in_title = False

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
        if tag in _SKIP:
            self.skipping += 1
        elif tag in ("cite", "time"):
            self.flush()
            self.where = tag
        elif tag in _BLOCKS or tag == "br":
            self.flush()

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag == "h1" and self.heading is not None:
            self.h1, self.heading = " ".join("".join(self.heading).split()), None
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in ("cite", "time"):
            self.where = ""
        elif tag in _BLOCKS:
            self.flush()

    def handle_data(self, data):
        if self.in_title:
            self.page_title += data
        if self.heading is not None:
            self.heading.append(data)
        if self.skipping:
            return
        if self.where == "cite":
            self.pending_label += data
        elif self.where == "time":
            self.pending_time += data.strip()
        else:
            self.current.append(data)


def parse_html(text: str, known_names: frozenset = frozenset()) -> Transcript:
    reader = _Paragraphs()
    reader.feed(text)
    reader.close()
    reader.flush()
    # <cite> names are speaker labels by the format's own definition: they count as known names.
    cited = frozenset(b.split("] ", 1)[-1].split(":", 1)[0] for b in reader.blocks if ": " in b)
    transcript = parse_plaintext("\n\n".join(reader.blocks), known_names | cited if "<cite" in text else known_names)
    # The page's own heading names it better than <title>, which often carries the site's name too.
    title = reader.h1 or " ".join(reader.page_title.split())
    return transcript.model_copy(update={"source_format": "html", "title": title})
