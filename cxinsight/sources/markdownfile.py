"""Markdown transcripts (.md): the text a reader sees, then read as a plain-text transcript.

Emphasis, links and headings are markup: "**Jane Doe (00:00:05):** Welcome" reads as the header and words
of a .txt export, "[our survey](https://…)" as "our survey". Every block (heading, paragraph, list item,
code, HTML) becomes one paragraph, in order, and a paragraph's line breaks stay line breaks.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")


def markdown_text(text: str) -> tuple[str, str]:
    """The text a reader sees, and the document's title: its first level-1 heading, when it has one."""
    from markdown_it import MarkdownIt

    paragraphs: list[str] = []
    title, in_h1 = "", False
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "heading_open":
            in_h1 = token.tag == "h1" and not title
        if token.type == "inline":
            parts = []
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append("\n")
                elif child.type == "html_inline":
                    continue  # a tag, not words
                elif child.type == "image":
                    parts.append(child.content)  # its alt text
            paragraphs.append("".join(parts))
            if in_h1:
                title, in_h1 = " ".join(paragraphs[-1].split()), False
        elif token.type in ("fence", "code_block"):
            paragraphs.append(token.content)
        elif token.type == "html_block":
            paragraphs.append(html.unescape(_TAG.sub(" ", token.content)))
    return "\n\n".join(p.strip() for p in paragraphs if p.strip()), title
