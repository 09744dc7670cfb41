"""When is a leading `Label:` a speaker? Only with evidence; otherwise the words stay in the text.

"Here's the thing: nobody owned the backlog." must not become speaker "Here's the thing". A label
counts as a speaker when it is capitalised like a name and either recurs as a label in the same file
or has two to five words with none of a title's ("Marisol Okafor-Lind", not "The Quiet Year"); when it is a name the episode's metadata gives; or,
in a file that uses speaker labels (one of the above, or a label on every turn), when it is capitalised
like a name ("Fred:"). A phrase ("Here's the thing:", "As Marshall Goldsmith says:") never is, and a
single word seen once in unlabelled text ("People:", "Nota:") is not enough.
"""

from __future__ import annotations

from collections import Counter

from cxinsight.text.people import is_unnamed

_PARTICLES = {"de", "da", "del", "van", "von", "der", "le", "la", "di", "bin", "al"}


def _capitalised(label: str) -> bool:
    """Every word capitalised like a name part: "Kyle Huey", "Neil deGrasse Tyson", "Ana de la Cruz"; or a
    voice a tool numbered, "Speaker 1", "SPEAKER_01", "Unknown Speaker"."""
    if is_unnamed(label):
        return True
    words = label.split()
    return bool(words) and words[0][:1].isupper() and all(
        w[:1].isupper() or w.lower() in _PARTICLES or any(c.isupper() for c in w) for w in words)


# Words a title or a phrase has and a person's name does not: "The Quiet Year:", "ON HOLD:", "How we did it:".
_FUNCTION_WORDS = {"the", "a", "an", "of", "on", "in", "for", "to", "and", "or", "how", "why", "what", "when", "where",
                   "who", "with", "my", "our", "your", "their", "its", "is", "are", "was", "at", "by", "from", "this",
                   "that", "these", "not", "no", "vs", "we", "i", "it"}


def _name_like(label: str) -> bool:
    """Could be someone's full name: no function words, no possessive ("Buyer's Guide")."""
    return all(w.lower() not in _FUNCTION_WORDS and not w.lower().endswith(("'s", "’s")) for w in label.split())


# Words that name a part in the conversation, not a person: "Host (Alex Kim):" is Alex Kim, "Alex Kim (Host):"
# too, and so is "Host Alex Kim:".
ROLE_WORDS = {"host", "co-host", "cohost", "guest", "moderator", "interviewer", "interviewee", "panelist", "panellist"}
_PART = {"host": "host", "co-host": "host", "cohost": "host", "moderator": "host", "interviewer": "host",
         "guest": "guest", "interviewee": "guest"}


def person_and_part(label: str, bracket: str = "") -> tuple[str, str]:
    """Who a label names, and their part in the conversation ("host", "guest" or ""), from a label and what it
    has in brackets: "Host (Alex Kim)" and "Alex Kim (Host)" are Alex Kim, the host; "Rafael (Dunmore Motors)"
    and "JOHN SMITH (CEO, Acme)" are Rafael and John Smith (the bracket says where they work or what they do);
    "Host Anna Berg" is Anna Berg."""
    label, bracket = " ".join(label.split()), " ".join(bracket.split())
    if bracket and label.lower() in ROLE_WORDS and _capitalised(bracket) and "," not in bracket:
        return bracket, _PART.get(label.lower(), "")
    words = label.split()
    if len(words) >= 2 and words[0].lower() in ROLE_WORDS and words[1][:1].isupper():
        return " ".join(words[1:]), _PART.get(words[0].lower(), "")
    return label, _PART.get(bracket.lower(), "")


def is_name_like(label: str) -> bool:
    """Capitalised like a name and with no title's words: "ANNA BERG", "Ana de la Cruz"; not "The Quiet Year"."""
    return _capitalised(label) and _name_like(label)


def accepted_labels(candidates: list[str], known_names: set[str] | frozenset = frozenset(),
                    every_turn_labelled: bool = False) -> set[str]:
    """The candidate labels (every `Label:` seen at a turn start, repeats included) that are speakers."""
    counts = Counter(c.strip() for c in candidates if c.strip())
    known = {n.strip().lower() for n in known_names if n}
    sure = {label for label, n in counts.items()
            if label.lower() in known or (_capitalised(label) and (n >= 2 or len(label.split()) >= 2 and _name_like(label)))}
    if sure or every_turn_labelled:  # a file that uses speaker labels: its other name-like labels are speakers too
        sure |= {label for label in counts if _capitalised(label)}
    return sure
