"""Generated answers that cite only what was retrieved, checked sentence by sentence.

The LLM sees the same evidence the extractive answer would cite, numbered [n].
Every [n] in its reply is checked: it must name a retrieved passage, and that
passage must be about what the sentence says (embedding similarity); other
markers are removed, sentences left without a citation are dropped, and
citations are renumbered in reading order. Refusal happens before the LLM is asked. On any
failure the extractive answer is returned, with a line saying why.
"""

from __future__ import annotations

import re

from cxinsight.answer.extractive import extractive_answer
from cxinsight.llm.calls import LLMClient, LLMError
from cxinsight.llm.prompts import load_prompt
from cxinsight.models import Answer

_MARK = re.compile(r"\[(\d+)\]")


# A cited passage must actually be about what the sentence says (cosine of the two embeddings).
SUPPORT = 0.5


def check_citations(reply: str, available: int) -> list[tuple[str, list[int]]]:
    """(sentence without markers, its valid [n]) for sentences that cite at least one retrieved passage."""
    out = []
    for sentence in re.split(r"(?<=[.!?\]])\s+|\n+", reply.strip()):
        valid = [int(n) for n in _MARK.findall(sentence) if 1 <= int(n) <= available]
        text = re.sub(r"\s+([.!?,;:])", r"\1", re.sub(r"\s{2,}", " ", _MARK.sub("", sentence))).strip(" -*")
        if valid and text:
            out.append((text, list(dict.fromkeys(valid))))
    return out


def supported(claims: list[tuple[str, list[int]]], quotes: list[str], embedder) -> list[tuple[str, list[int]]]:
    """Keep the citations whose passage supports the sentence; drop sentences left with none."""
    if not claims:
        return []
    vectors = embedder.embed([text for text, _ in claims] + quotes)
    claim_vecs, quote_vecs = vectors[: len(claims)], vectors[len(claims) :]
    kept = []
    for (text, numbers), vec in zip(claims, claim_vecs):
        good = [n for n in numbers if float(vec @ quote_vecs[n - 1]) >= SUPPORT]
        if good:
            kept.append((text, good))
    return kept


def generative_answer(question: str, hits, embedder, taxonomy, threshold: float, records: dict, client: LLMClient,
                      coverage: float | None = None, min_support: float | None = None) -> Answer:
    evidence = extractive_answer(question, hits, embedder, taxonomy, threshold, records, coverage, min_support)
    if evidence.refused:
        return evidence
    prompt = load_prompt("answer")
    passages = "\n".join(f"[{c.n}] {c.speaker or 'Unknown speaker'} ({c.title}): {c.quote}" for c in evidence.citations)
    try:
        reply = client.complete(prompt, {"question": question, "passages": passages})
    except LLMError as exc:
        return _fallback(evidence, str(exc))
    claims = supported(check_citations(reply, len(evidence.citations)), [c.quote for c in evidence.citations], embedder)
    if not claims:
        return _fallback(evidence, "no sentence of the generated answer was supported by a cited passage")
    renumber: dict[int, int] = {}
    for _, numbers in claims:
        for n in numbers:
            renumber.setdefault(n, len(renumber) + 1)
    text = " ".join(_cite(text, [renumber[n] for n in numbers]) for text, numbers in claims)
    citations = [evidence.citations[old - 1].model_copy(update={"n": new}) for old, new in renumber.items()]
    return Answer(question=question, answer=text, refused=False, citations=citations,
                  generated_by=f"{client.spec} ({prompt.version})")


def _cite(text: str, numbers: list[int]) -> str:
    """'Claim.' + [1][2] -> 'Claim [1][2].'"""
    marks = "".join(f"[{n}]" for n in numbers)
    return f"{text[:-1]} {marks}{text[-1]}" if text[-1:] in ".!?" else f"{text} {marks}"


def _fallback(evidence: Answer, reason: str) -> Answer:
    note = f"(Generated answer unavailable: {reason}. Showing the extractive answer.)"
    return evidence.model_copy(update={"answer": f"{note}\n{evidence.answer}", "generated_by": ""})
