"""Who a speaker label is: the episode's host, its guest, or neither.

Metadata names people in full ("Leon Batts and Farah Quint"); transcripts label them
however the source did: "Leon:" on a podcast, "PRIYA:" in broadcast captions, the full
name in a Q&A. A label is someone's when it is their full name, or one word that is
their first or last name and no one else's in the episode (case and spacing ignored).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"\s*(?:,|;|&|/|\band\b)\s*")
# A voice that diarization numbered ("Speaker 2", pyannote's "SPEAKER_01"): named from the metadata when it can be.
NUMBERED_VOICE = re.compile(r"^speaker[ _]?(?:\d+|[a-z])$", re.I)  # "Speaker 2", "SPEAKER_01", AssemblyAI's "Speaker B"


# A Q&A's "Q:"/"A:" and an interview's "Interviewer:" name a role, not a person: the host's and the guest's.
ROLE_LABELS = {"q": "host", "question": "host", "interviewer": "host", "a": "guest", "answer": "guest",
               "interviewee": "guest"}


def is_role(label: str) -> bool:
    return _fold(label) in ROLE_LABELS


def is_unnamed(label: str) -> bool:
    """A numbered voice, a transcription service's "Unknown Speaker", or a role ("Q", "A"): never a person's name."""
    folded = _fold(label)
    return bool(NUMBERED_VOICE.match(label.strip())) or folded in {"unknown speaker", "unknown", "speaker"} or folded in ROLE_LABELS


def names_in(value: str) -> list[str]:
    """"Ana Ruiz and Ben Ode" or "Ana Ruiz; Ben Ode" -> two names; one name stays one."""
    return [part.strip() for part in _SEPARATORS.split(value or "") if part.strip()]


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


# Titles and suffixes are not what a transcript calls someone: "Dr. Jane Doe, PhD" is "Jane" or "Doe".
_TITLES = {"dr", "mr", "mrs", "ms", "mx", "prof", "professor", "sir", "dame", "jr", "sr", "phd", "md", "ii", "iii"}


def _short_forms(name: str) -> set[str]:
    words = [w for w in _fold(name).replace(",", " ").split() if w.strip(".") not in _TITLES]
    return {words[0], words[-1]} if len(words) > 1 else set()


def _match(label: str, host: str, guest: str) -> tuple[str, str]:
    """(role, the person's name as the metadata writes it) for a speaker label, or ("", "")."""
    wanted = _fold(label)
    if not wanted:
        return "", ""
    hosts, guests = names_in(host), names_in(guest)
    for role, names in (("guest", guests), ("host", hosts)):
        for name in names:
            if _fold(name) == wanted:
                return role, name
    if wanted in ROLE_LABELS:  # "A" is the guest, named when the episode has exactly one
        role = ROLE_LABELS[wanted]
        people = hosts if role == "host" else guests
        return role, people[0] if len(people) == 1 else ""
    if " " in wanted:
        return "", ""
    # A single word: a first or last name, unless two people of the episode share it (one person listed as
    # both host and guest is one person, and the guest).
    owners: dict[str, tuple[str, str]] = {}
    for role, names in (("guest", guests), ("host", hosts)):
        for name in names:
            if wanted in _short_forms(name):
                owners.setdefault(_fold(name), (role, name))
    return next(iter(owners.values())) if len(owners) == 1 else ("", "")


def role_of(label: str, host: str, guest: str) -> str:
    """"host", "guest" or "" for a speaker label, given the episode's host and guest fields.
    Someone who is both (a solo show, a blog's author) is the guest: their lines are the content."""
    return _match(label, host, guest)[0]


def full_names(labels, host: str, guest: str) -> dict[str, str]:
    """{"DERVLA": "Dervla Quigley", "Leon": "Leon Batts", …}: each label that is a short form of exactly one of
    the episode's people, mapped to the name the metadata gives (labels already in full are left out)."""
    names = {}
    for label in labels:
        name = _match(label, host, guest)[1]
        if name and name != label:
            names[label] = name
    return names


def is_host(label: str, host: str, guest: str = "") -> bool:
    return role_of(label, host, guest) == "host"


def organisation_of(label: str, host: str, guest: str, organisation: str) -> str:
    """The organisation a guest's line is attributed to; never the host's. A panel's "A; B" pairs with its
    guests "Ana; Ben" in order; any other list of organisations is not split, so "Marks & Spencer" stays one."""
    role, name = _match(label, host, guest)
    if not organisation or role != "guest":
        return ""
    orgs = [o.strip() for o in organisation.split(";") if o.strip()]
    guests = names_in(guest)
    if len(orgs) == 1:
        return orgs[0]
    if len(orgs) != len(guests):
        return ""  # which of them is this guest's is not known
    return orgs[guests.index(name)]
