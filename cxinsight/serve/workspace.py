"""One warm process over one store: the models load once, the store stays open between commits.

Every store operation runs on a single dedicated thread, in order. That keeps Chroma, SQLite and the
store's reader lock (taken and released by the same thread) out of the web server's thread pool, and
it lets a poller close the store when an ingest wants to commit (store/access.py: commit.wanted.lock):
the commit then waits for the request in progress only, and the next request reopens the store and sees
what was committed. Results are the CLI's `--json` documents, so the API, the page and the MCP tools
all speak the same contract.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import threading
import time
from pathlib import Path
from typing import Any, Callable

from cxinsight.answer import session as queries
from cxinsight.answer.session import Session
from cxinsight.errors import UsageError
from cxinsight.settings import Settings

POLL_SECONDS = 0.2
SHARED_REFRESH_SECONDS = 30.0  # a Chroma server is written by others with no lock to tell us; re-read it this often


class NotFound(UsageError):
    """An episode id that is not in the store, or an episode without audio (the API answers 404)."""


class Workspace:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.session = Session(settings)
        self._thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxinsight-store")
        self._opened_at: float | None = None
        self._stop = threading.Event()
        self._letting_go = threading.Event()  # a let-go is queued on the store thread: queue no second one
        self._poller: threading.Thread | None = None
        self.reopened = 0  # how many times the store was let go for a commit (or refreshed) and opened again

    # ------------------------------------------------------------------ life
    def start(self) -> None:
        """Open the store and load the models now, so the first request is as fast as the rest."""
        self.call(self._warm)
        self._poller = threading.Thread(target=self._poll, name="cxinsight-commit-poll", daemon=True)
        self._poller.start()

    def _warm(self) -> None:
        self._archive()
        self.session.embedder.remember()
        self.session.embedder.embed(["warm"])
        _ = self.session.taxonomy

    def close(self) -> None:
        self._stop.set()
        self._thread.submit(self.session.close).result()
        self._thread.shutdown(wait=True)

    def _archive(self):
        archive = self.session.archive  # opens (after any commit in progress) when it was let go
        if self._opened_at is None:
            self._opened_at = time.monotonic()
            archive.keyword.keep_in_memory()  # a new connection each time the store is opened again
            archive.records()  # every episode record, once per opening: a request then reads none from Chroma
        return archive

    def _poll(self) -> None:
        from cxinsight.store.access import writer_waiting

        shared = bool(self.settings.chroma_url)
        while not self._stop.wait(POLL_SECONDS):
            if self._opened_at is None:
                continue
            stale = shared and time.monotonic() - self._opened_at > SHARED_REFRESH_SECONDS
            if (stale or (not shared and writer_waiting(self.settings.store))) and not self._letting_go.is_set():
                self._letting_go.set()
                self._thread.submit(self._let_go, shared)

    def _let_go(self, shared: bool) -> None:
        from cxinsight.store.access import writer_waiting

        try:
            # A request queued before this one may have waited for the commit and reopened after it: keep that.
            if self._opened_at is None or (not shared and not writer_waiting(self.settings.store)):
                return
            self.session.close()
            self._opened_at = None
            self.reopened += 1
        finally:
            self._letting_go.clear()

    # ------------------------------------------------------------------ calling
    def call(self, fn: Callable[..., Any], *args, **kwargs) -> Any:
        """Run fn on the store thread and wait (for synchronous callers)."""
        return self._thread.submit(self._run, fn, args, kwargs).result()

    async def acall(self, fn: Callable[..., Any], *args, **kwargs) -> Any:
        """Run fn on the store thread without blocking the event loop."""
        return await asyncio.wrap_future(self._thread.submit(self._run, fn, args, kwargs))

    def _run(self, fn, args, kwargs):
        self._archive()  # reopened here, on this thread, after a commit let it go
        return fn(*args, **kwargs)

    # ------------------------------------------------------------------ the contract (CLI --json documents)
    def ask(self, question: str, k: int | None = None, tactic: str | None = None, episode: str | None = None) -> dict:
        return queries.ask(self.session, question, k, tactic, episode).model_dump()

    def search(self, query: str, k: int | None = None, tactic: str | None = None, episode: str | None = None,
               speaker: str | None = None) -> dict:
        hits = queries.search(self.session, query, k, tactic, episode, speaker)
        return {"query": query, "results": [h.model_dump() for h in hits]}

    def quotes(self, episode: str | None = None, tactic: str | None = None, speaker: str | None = None,
               min_words: int = 8, limit: int = 10) -> dict:
        from cxinsight.notes.quotes import find_quotes

        self.session.check_filters(tactic, episode)
        found = find_quotes(self.session.archive, episode, tactic, speaker, min_words)[:limit]
        return {"quotes": [q.as_dict() for q in found]}

    def tactics(self, episode: str | None = None) -> dict:
        return {"tactics": queries.tactics_summary(self.session, episode)}

    def episodes(self) -> dict:
        from cxinsight.sources import is_audio

        rows = queries.episodes(self.session)
        for row in rows:  # the page shows a play button only where there is audio to play
            row["audio"] = is_audio(Path(row["source_path"]))
        return {"episodes": rows}

    def episode(self, episode_id: str) -> dict:
        """One episode: metadata, speakers, every sentence with the tactics it is cited for, the mentions."""
        from cxinsight.notes.speakers import speakers_of
        from cxinsight.sources import is_audio

        episode, mentions = self._load(episode_id)
        tactics_of: dict[str, list[str]] = {}
        for m in mentions:
            for sid in m.sentence_ids:
                tactics_of.setdefault(sid, []).append(m.tactic_id)
        names = {t.id: t.name for t in self.session.taxonomy.tactics}
        return {
            "episode_id": episode.id, **episode.meta.model_dump(), "source_path": episode.source_path,
            "audio": is_audio(Path(episode.source_path)), "duration": episode.transcript.duration,
            "times_estimated": episode.times_estimated,
            "speakers": [s.as_dict() for s in speakers_of(episode)],
            "sentences": [{**s.model_dump(), "tactics": tactics_of.get(s.id, [])} for s in episode.sentences],
            "mentions": [{**m.model_dump(), "tactic": names.get(m.tactic_id, m.tactic_id)} for m in mentions],
        }

    def shownotes(self, episode_id: str, fmt: str = "json") -> dict | str:
        from cxinsight.notes.shownotes import build_shownotes, render_shownotes

        self._load(episode_id)
        notes = build_shownotes(self.session.archive, self.session.embedder, self.session.taxonomy, episode_id)
        text = render_shownotes(notes, fmt)
        return json.loads(text) if fmt == "json" else text

    def media_path(self, episode_id: str) -> Path:
        """The audio file of a known episode, and only that: ids are looked up, never joined to paths."""
        from cxinsight.notes.clips import episode_audio

        episode, _ = self._load(episode_id)
        try:
            return episode_audio(episode, self.session.archive.record(episode_id))
        except UsageError as exc:  # transcript-only, or the file has moved
            raise NotFound(str(exc)) from None

    def chart_png(self, target: Path) -> Path:
        from cxinsight.notes.chart import tactics_chart
        from cxinsight.notes.export import mention_counts

        archive = self.session.archive
        names = {t.id: t.name for t in self.session.taxonomy.tactics}
        return tactics_chart(mention_counts(archive), names, sorted(archive.records()), target)

    def _load(self, episode_id: str):
        archive = self.session.archive
        if archive.record(episode_id) is None:
            raise NotFound(f"unknown episode '{episode_id}'; see /api/episodes")
        return archive.load_episode(episode_id)
