"""Word-level gold: the words a labeller quoted, whatever our sentence splitter made of them.

Sentence-level F1 counts sentences, so it cannot compare two ways of splitting a text: cut a caption stream
into three times as many sentences and it weighs three times as much. Word-level F1 counts words instead:
gold is the words inside the labeller's quotes, a prediction is the words of the sentences labelled; the
same text gives the same words under any segmentation, so splitters are compared on the same footing.
"""

from __future__ import annotations

import bisect
import re


def word_sentences(sentences) -> list[int]:
    """Per word of the episode (whitespace tokens, in order), the index of its sentence."""
    return [i for i, s in enumerate(sentences) for _ in s.text.split()]


def quoted_words(sentences, quotes: list[str]) -> set[int]:
    """Indices of the words any quote covers, matched with whitespace ignored (a quote may run across our
    cuts, or glue a heading to its paragraph); a word partly inside a quote counts."""
    tokens = [t for s in sentences for t in s.text.split()]
    spans, at = [], 0
    for token in tokens:
        spans.append((at, at + len(token)))
        at += len(token)
    document = "".join(tokens)
    starts = [a for a, _ in spans]
    found: set[int] = set()
    for quote in quotes:
        flat = "".join(quote.split())
        if not flat:
            continue
        for hit in re.finditer(re.escape(flat), document):
            k = _word_at(starts, hit.start())
            while k < len(spans) and spans[k][0] < hit.end():
                found.add(k)
                k += 1
    return found


def _word_at(starts: list[int], position: int) -> int:
    """The word that holds `position` (the last one starting at or before it)."""
    return max(0, bisect.bisect_right(starts, position) - 1)
