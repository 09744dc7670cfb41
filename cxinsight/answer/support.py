"""Does the evidence support the question, or only sit near its topic?

Similarity alone cannot tell a near-topic question the archive does not answer ("How did a bank
use voice biometrics to shorten caller authentication?") from one it does: in a CX archive both
find passages about callers and banks at cosine 0.4-0.5. What differs is whether the evidence
holds the question's specific terms. `coverage` is the share of the question's content words
(stemmed as the keyword index stems them, weighted by their rarity in the archive, IDF) that the
best-covering retrieved passage contains; an answer needs

    best similarity + COVERAGE_WEIGHT * coverage >= min_support

Chosen on the corpus questions (corpus/gold.yaml: 27 answerable, 8 off-topic and 16 near-topic
unanswerable questions written for this) by leave-one-question-out: weight 0.5 and a threshold
0.02 under the lowest answerable question's score answered 27/27 held-out answerable questions
and refused 22/24 unanswerable ones (similarity alone at 0.35: 27/27 and 10/24). The independent
test set's unanswerable questions were not used to choose anything.
"""

from __future__ import annotations

import math
import re

from cxinsight.store.keyword import _STOPWORDS

COVERAGE_WEIGHT = 0.5
# Words every question in a CX archive carries: they say nothing about what exactly is asked.
_GENERIC = set(
    "did do does how what which who whom why where when can could would should get got make made use used "
    "they their there its it's companies company organisations organisation business businesses cx customer "
    "customers experience".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


def content_words(text: str) -> list[str]:
    words = (w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and w not in _GENERIC and not w.isdigit())
    return list(dict.fromkeys(words))


def coverage(question: str, texts: list[str], keyword_index) -> float:
    """The largest IDF-weighted share of the question's content words that one of `texts` holds (0..1)."""
    words = content_words(question)
    if not words or not texts:
        return 0.0
    held_words = [set(_WORD.findall(text.lower())) for text in texts]
    stems = keyword_index.stems(list(dict.fromkeys([*words, *set().union(*held_words)])))  # one round trip
    terms = list(dict.fromkeys(stems[w] for w in words if w in stems))
    if not terms:
        return 0.0
    df, rows = keyword_index.document_frequencies(terms)
    weight = {t: math.log((rows + 1) / (df.get(t, 0) + 0.5)) for t in terms}
    total = sum(weight.values())
    if total <= 0:
        return 0.0
    best = 0.0
    for held_here in held_words:
        held = {stems[w] for w in held_here if w in stems}
        best = max(best, sum(w for t, w in weight.items() if t in held) / total)
    return best


def support(best_similarity: float, coverage_share: float) -> float:
    return best_similarity + COVERAGE_WEIGHT * coverage_share
