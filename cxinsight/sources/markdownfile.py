"""Markdown transcripts (.md): the text a reader sees, then read as a plain-text transcript.

Emphasis, links and headings are markup: "**Jane Doe (00:00:05):** Welcome" reads as the header and words
of a .txt export, "[our survey](https://…)" as "our survey". Every block (heading, paragraph, list item,
code, HTML) becomes one paragraph, in order, and a paragraph's line breaks stay line breaks.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")


def markdown_text(text: str) -> str:
    from markdown_it import MarkdownIt

    paragraphs: list[str] = []
    for token in MarkdownIt("commonmark").parse(text):
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
        elif token.type in ("fence", "code_block"):
            paragraphs.append(token.content)
        elif token.type == "html_block":
            paragraphs.append(html.unescape(_TAG.sub(" ", token.content)))
    return "\n\n".join(p.strip() for p in paragraphs if p.strip())
