"""Extractive cited answers: the strongest evidence, grouped by tactic, every point cited [n].

Nothing here is generated: each point quotes the passage sentence closest to the
question, and each citation carries the whole passage verbatim with its times.
"""

from __future__ import annotations

import re

from cxinsight.answer.support import support
from cxinsight.models import Answer, Citation, SearchHit
from cxinsight.text.people import is_host, organisation_of
from cxinsight.text.sentences import is_question


def refusal(question: str, best: float | None, threshold: float, unsupported: str = "") -> Answer:
    if best is None:
        reason = "the archive is empty or nothing matched the filters"
    elif unsupported:
        reason = unsupported
    else:
        reason = f"the closest passage scores {best:.2f}, below the relevance threshold {threshold:.2f}"
    return Answer(
        question=question,
        answer=f"The archive holds no evidence that answers this question ({reason}). "
        "Try other words, or `cxinsight search` to browse.",
        refused=True,
        citations=[],
    )


def _sentences(text: str) -> list[str]:
    return [p for p in re.split(r"(?<=[.!?])\s+", text) if p]


def _key_sentences(question: str, texts: list[str], embedder) -> list[str]:
    """For each passage, its sentence closest to the question: the point an answer line quotes.
    One embedding call for the question and every sentence of every passage."""
    split = [_sentences(t) for t in texts]
    parts = [p for s in split if len(s) > 1 for p in s]
    vectors = embedder.embed([question, *parts])
    scores = dict(zip(parts, vectors[1:] @ vectors[0]))
    return [max(s, key=scores.get) if len(s) > 1 else t for s, t in zip(split, texts)]


# Evidence this much less similar than the best passage adds noise, not support.
RELATIVE_CUTOFF = 0.2


def is_host_line(hit: SearchHit, records: dict) -> bool:
    """Known to be the host's: the episode names a host and this speaker is that host ("Leon" for
    "Leon Batts and Farah Quint": text/people.py)."""
    record = records.get(hit.episode_id, {})
    return is_host(hit.speaker, record.get("host") or "", record.get("guest") or "")


def extractive_answer(question: str, hits: list[SearchHit], embedder, taxonomy, threshold: float, records: dict,
                      coverage: float | None = None, min_support: float | None = None) -> Answer:
    """`coverage` (answer/support.py) with `min_support`: refuse evidence that is near the topic but does
    not hold the question's own terms."""
    best = max((h.similarity for h in hits), default=None)
    if best is None or best < threshold:
        return refusal(question, best, threshold)
    if coverage is not None and min_support is not None and support(best, coverage) < min_support:
        return refusal(question, best, threshold, unsupported=(
            f"the closest passage scores {best:.2f} but holds {coverage:.0%} of what the question asks about; "
            f"support {support(best, coverage):.2f} is below {min_support:.2f}"))
    relevant = [
        h for h in hits
        if h.similarity >= max(threshold, best - RELATIVE_CUTOFF) and not is_question(h.text)
    ]
    # The host's lines are context: used only when nothing else qualifies. Only a line *known* to be the
    # host's counts as one: an unlabelled source (an article, an undiarized recording) is evidence like any other.
    not_host = [h for h in relevant if not is_host_line(h, records)]
    relevant = not_host or relevant
    if not relevant:
        return refusal(question, best, threshold)
    key = dict(zip(map(id, relevant), _key_sentences(question, [h.text for h in relevant], embedder)))

    # Citations are numbered by relevance, so [1] is always the strongest evidence; the text then groups
    # the points by tactic (the strongest group first), each point keeping its number.
    citations = [
        Citation(n=n, episode_id=hit.episode_id, title=hit.title, speaker=hit.speaker, start=hit.start, end=hit.end,
                 quote=hit.text, tactic=hit.tactics[0] if hit.tactics else None, url=hit.url,
                 times_estimated=hit.times_estimated)
        for n, hit in enumerate(relevant, 1)
    ]
    groups: dict[str | None, list[tuple[int, SearchHit]]] = {}
    for citation, hit in zip(citations, relevant):  # dicts keep insertion order: the strongest group comes first
        groups.setdefault(citation.tactic, []).append((citation.n, hit))

    episodes = {h.episode_id for h in relevant}
    lines = [f"Evidence from {len(episodes)} episode{'s' if len(episodes) != 1 else ''}, strongest first:"]
    for tactic, members in groups.items():
        found = taxonomy.get(tactic) if tactic else None
        lines.append(f"{found.name if found else 'Other relevant evidence'}:")
        for n, hit in members:
            record = records.get(hit.episode_id, {})
            # The episode's organisation belongs to its guest, not to the host asking questions.
            org = organisation_of(hit.speaker, record.get("host") or "", record.get("guest") or "",
                                  record.get("organisation") or "")
            who = f"{hit.speaker} ({org})" if hit.speaker and org else (hit.speaker or "Unknown speaker")
            lines.append(f'- {who}: "{key[id(hit)]}" [{n}]')
    return Answer(question=question, answer="\n".join(lines), refused=False, citations=citations)
