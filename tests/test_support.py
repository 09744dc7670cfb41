"""Refusing near-topic questions: the evidence must hold the question's own terms (answer/support.py).

A real SQLite FTS5 keyword index (its porter stemmer and document counts) and the real answer
function; no embedder is needed because the support check refuses before any sentence is embedded.
"""

from __future__ import annotations

from cxinsight.answer.extractive import extractive_answer
from cxinsight.answer.support import content_words, coverage, support
from cxinsight.models import SearchHit
from cxinsight.store.keyword import KeywordIndex

PASSAGES = [
    "We switched off eleven of the fourteen surveys and cleared the complaints backlog.",
    "Every team leader runs a fifteen-minute huddle at the start of the shift.",
    "Customers told us the billing letters were confusing, so we rewrote them.",
    "Our callers waited too long on the phone line before they reached anyone.",
] + [f"Customer experience matters to every customer, story {i}." for i in range(20)]


def _index(tmp_path):
    index = KeywordIndex(tmp_path / "keyword.sqlite3")
    index.add([{"passage_id": f"p{i}", "episode_id": "e1", "ingest_id": "i1", "speaker": "", "tactics": ",", "text": t}
               for i, t in enumerate(PASSAGES)])
    return index


def _hit(text: str, similarity: float) -> SearchHit:
    return SearchHit(episode_id="e1", title="E1", speaker="Guest", start=0.0, end=5.0, text=text, score=0.1,
                     tactics=[], passage_id="p", similarity=similarity)


def test_content_words_leave_out_question_words_and_what_every_cx_question_says():
    assert content_words("How did the company cut its customer complaints backlog?") == ["cut", "complaints", "backlog"]


def test_coverage_counts_stemmed_terms_weighted_by_rarity(tmp_path):
    index = _index(tmp_path)
    assert index.stems(["surveys", "huddles"]) == {"surveys": "survei", "huddles": "huddl"}
    df, rows = index.document_frequencies(["survei", "custom", "zeppelin"])
    assert df == {"survei": 1, "custom": 21} and rows == len(PASSAGES)
    # a paraphrase in other inflections is covered in full by the passage that answers it
    assert coverage("Which surveys did they switch off?", [PASSAGES[0], PASSAGES[1]], index) == 1.0
    # near-topic: the callers and the phone are there, the voice biometrics are not
    near = coverage("How did callers use voice biometrics on the phone?", [PASSAGES[3]], index)
    assert 0.2 < near < 0.7
    assert coverage("Lasagne recipes?", PASSAGES[:4], index) == 0.0
    index.close()


def test_answer_refuses_evidence_that_is_near_the_topic_but_does_not_hold_the_question(tmp_path):
    index = _index(tmp_path)
    question = "How did a bank use voice biometrics to shorten caller authentication?"
    hits = [_hit(PASSAGES[3], 0.44)]  # similar enough for the relevance floor (0.35) alone
    covered = coverage(question, [h.text for h in hits], index)
    assert support(0.44, covered) < 0.60
    answer = extractive_answer(question, hits, None, None, 0.35, {}, coverage=covered, min_support=0.60)
    assert answer.refused and not answer.citations
    assert "of what the question asks about" in answer.answer and "below 0.60" in answer.answer
    index.close()
