"""Read-side operations the CLI calls: search, ask, tactics, episodes. One function each."""

from __future__ import annotations

import json
from collections import defaultdict

from cxinsight.errors import UsageError
from cxinsight.models import Answer, SearchHit
from cxinsight.settings import Settings


class Session:
    """The store, embedder and taxonomy a read command needs, loaded lazily and once."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._archive = self._embedder = self._taxonomy = None

    @property
    def archive(self):
        if self._archive is None:
            from cxinsight.embed import MODEL_NAME
            from cxinsight.store.archive import Archive

            self._archive = Archive(self.settings.store, MODEL_NAME, chroma_url=self.settings.chroma_url)
        return self._archive

    @property
    def embedder(self):
        if self._embedder is None:
            from cxinsight.embed import get_embedder

            self._embedder = get_embedder()
        return self._embedder

    @property
    def taxonomy(self):
        if self._taxonomy is None:
            from cxinsight.extract.taxonomy import load_taxonomy

            self._taxonomy = load_taxonomy(self.settings.taxonomy)
        return self._taxonomy

    def check_filters(self, tactic: str | None = None, episode_id: str | None = None) -> None:
        import difflib

        if tactic and tactic not in self.taxonomy.ids:
            close = difflib.get_close_matches(tactic, self.taxonomy.ids, n=3, cutoff=0.3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see `cxinsight tactics`"
            raise UsageError(f"unknown tactic '{tactic}'{hint}")
        if episode_id and self.archive.record(episode_id) is None:
            ids = list(self.archive.records())
            close = difflib.get_close_matches(episode_id, ids, n=3, cutoff=0.3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see `cxinsight episodes`"
            raise UsageError(f"unknown episode '{episode_id}'{hint}")

    def close(self) -> None:
        """Close the store, releasing its read lock; a later use opens it again."""
        if self._archive is not None:
            self._archive.close()
            self._archive = None


def _check_query(text: str, what: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise UsageError(f"the {what} is empty")
    if len(text) > 2000:
        raise UsageError(f"the {what} is {len(text)} characters long; keep it under 2000")
    return text


def search(session: Session, query: str, k: int | None = None, tactic=None, episode_id=None, speaker=None) -> list[SearchHit]:
    from cxinsight.answer.retrieve import hybrid_search

    query = _check_query(query, "query")
    session.check_filters(tactic, episode_id)
    session.archive.warm_vectors()  # the vector index loads on another thread while the embedder loads
    return hybrid_search(session.archive, session.embedder, query, session.settings, k, tactic, episode_id, speaker)


def ask(session: Session, question: str, k: int | None = None, tactic=None, episode_id=None) -> Answer:
    from cxinsight.answer.extractive import extractive_answer

    question = _check_query(question, "question")
    session.archive.warm_vectors()  # before the embedder loads, so the two overlap
    with session.embedder.memo():  # the question and the hits' sentences are embedded once per ask
        hits = search(session, question, k, tactic, episode_id)
        args = (question, hits, session.embedder, session.taxonomy, session.settings.min_relevance,
                session.archive.records_for({h.episode_id for h in hits}))
        support = {"coverage": evidence_coverage(session, question, hits), "min_support": session.settings.min_support}
        from cxinsight.llm.calls import client_for

        client = client_for(session.settings)
        if client is None:
            return extractive_answer(*args, **support)
        from cxinsight.answer.generative import generative_answer

        # Everything the answer needs is read: an LLM can take minutes, and an open reader holds off commits
        # (and so every reader behind them) on an embedded store.
        session.close()
        return generative_answer(*args, client, **support)


def evidence_coverage(session: Session, question: str, hits: list[SearchHit]) -> float | None:
    """How much of what the question asks about the best-covering hit holds (answer/support.py). A passage
    holds its episode's organisation and guest too: a guest says "we", not the company's name, and a
    question that names the company is answered by what she says (answer/names.py)."""
    if not hits:
        return None
    from cxinsight.answer.support import coverage

    records = session.archive.records_for({h.episode_id for h in hits})
    names = {e: " ".join(filter(None, (r.get("organisation"), r.get("guest")))) for e, r in records.items()}
    return coverage(question, [f"{h.text} {names.get(h.episode_id, '')}" for h in hits], session.archive.keyword)


def tactics_summary(session: Session, episode_id: str | None = None) -> list[dict]:
    session.check_filters(episode_id=episode_id)
    mentions = session.archive.all_mentions(episode_id=episode_id)
    by_tactic: dict[str, list[dict]] = defaultdict(list)
    for m in mentions:
        by_tactic[m["tactic"]].append(m)
    rows = []
    for tactic in session.taxonomy.tactics:
        found = by_tactic.get(tactic.id, [])
        rows.append({
            "id": tactic.id, "name": tactic.name, "mentions": len(found),
            "episodes": sorted({m["episode_id"] for m in found}), "speakers": sorted({m["speaker"] for m in found if m["speaker"]}),
        })
    rows.sort(key=lambda r: (-r["mentions"], r["id"]))
    return rows


def episodes(session: Session) -> list[dict]:
    rows = []
    for episode_id, r in sorted(session.archive.records().items()):
        rows.append({
            "episode_id": episode_id, "title": r.get("title", ""), "show": r.get("show", ""), "host": r.get("host", ""),
            "guest": r.get("guest", ""), "organisation": r.get("organisation", ""), "date": r.get("date", ""), "url": r.get("url", ""),
            "duration": r.get("duration", 0.0), "times_estimated": r.get("times_estimated", False),
            "sentences": r.get("sentences", 0), "mentions": r.get("mentions", 0),
            "tactics": json.loads(r.get("tactics") or "[]"), "source_path": r.get("source_path", ""),
            "content_hash": r.get("content_hash", ""), "language": r.get("language", ""),
            "source": r.get("source", ""),
        })
    return rows

