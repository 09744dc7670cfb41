"""Episodes a question names: "What did Brightwater do about its old surveys?" is about Brightwater.

Neither side of hybrid search treats a name as special: the vector side hardly hears it, and BM25
finds the passages that say "Brightwater", which are rarely the ones about surveys (a guest says
"we", and Whisper may mishear the rest). So a question that names an episode's organisation or
guest also gets the vector ranks of that episode's own passages as a third list in the fusion.

Within those episodes the name is already given, so their passages are ranked, and their similarity
measured, against the question without it ("How did … handle its old surveys?"): with the name in,
MiniLM scored the host's introduction of Brightwater 0.50 and the guest's account of its surveys 0.33,
under the relevance floor.

A question about a named company is about that company: its episodes' relevant passages come first in
the hits (retrieve.evidence_first). A name counts when a word of it (4+ letters; for a guest, of the
surname) is capitalised in the question other than as its first word, so "How do water companies…" names
nobody while "…at Tamsworth Valley Water" names Tamsworth; and when it marks out few episodes (at most
MAX_SHARE of them), since a name every episode carries says nothing about which one is meant.
"""

from __future__ import annotations

import re

MAX_SHARE = 0.2
_WORD = re.compile(r"[^\W\d_][\w'’]*")


def _capitalised_words(question: str) -> set[str]:
    words = _WORD.findall(question)
    return {_bare(w) for w in words[1:] if len(w) >= 4 and w[0].isupper()}


def _name_words(name: str) -> set[str]:
    return {w.casefold() for w in re.split(r"[\s\-,.&]+", name) if len(w) >= 4 and w[0].isupper()}


def _person_words(name: str) -> set[str]:
    """A guest is named by a surname, not a first name alone: "What does Harriet Oduya do…" is not about
    Harriet Osei-Mensah."""
    parts = name.split()
    return _name_words(" ".join(parts[1:]) if len(parts) > 1 else name)


def named_episodes(question: str, records: dict[str, dict]) -> tuple[list[str], set[str]]:
    """(ids of the episodes whose organisation or guest the question names, the question's words that name
    them), see the module docstring."""
    asked = _capitalised_words(question)
    if not asked or not records:
        return [], set()
    by_word: dict[str, set[str]] = {}
    for episode_id, record in records.items():
        for word in _name_words(record.get("organisation") or "") | _person_words(record.get("guest") or ""):
            by_word.setdefault(word, set()).add(episode_id)
    limit = max(1, int(MAX_SHARE * len(records)))
    found: set[str] = set()
    naming: set[str] = set()
    for word in asked & by_word.keys():
        if len(by_word[word]) <= limit:
            found |= by_word[word]
            naming.add(word)
    return sorted(found), naming


def without_names(question: str, naming: set[str]) -> str:
    """The question with its naming words (and their possessive 's) left out."""
    kept = [w for w in re.split(r"(\s+)", question)
            if _WORD.sub(lambda m: "" if _bare(m.group(0)) in naming else m.group(0), w).strip(" ,.?!") or not w.strip()]
    return " ".join("".join(kept).split())


def _bare(word: str) -> str:
    return word.casefold().removesuffix("'s").removesuffix("’s")


def may_name_someone(question: str) -> bool:
    """Cheap test before reading every episode record: does the question capitalise any word after its first?"""
    return bool(_capitalised_words(question))
