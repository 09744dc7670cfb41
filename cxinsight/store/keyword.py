"""Keyword index: SQLite FTS5 with BM25 ranking, beside the Chroma store.

It is derived data: every row carries the ingest id it was written by, and readers
keep only rows of committed ingests (the episode records in Chroma are the truth).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5(
    passage_id UNINDEXED, episode_id UNINDEXED, ingest_id UNINDEXED,
    speaker UNINDEXED, tactics UNINDEXED, text, tokenize = 'porter unicode61'
);
CREATE VIRTUAL TABLE IF NOT EXISTS episodes USING fts5(
    episode_id UNINDEXED, ingest_id UNINDEXED, text, tokenize = 'porter unicode61'
);
"""
# `episodes` holds each episode's passages as one text, for a ranking of whole episodes (`rank_episodes`): a
# question that names an organisation by its kind ("the pharmacy chain") matches the episode where that kind
# and the question's topic meet, though no one passage holds both.
_WORD = re.compile(r"\w+", re.UNICODE)
# Very common words carry no keyword signal and slow FTS5 OR queries down.
_STOPWORDS = set(
    "a an and are as at be but by do does did for from had has have how i in is it its of on or so that the their them "
    "they this to was we what when where which who why will with you your about into than then there these those".split()
)


# An OR query scores every passage that holds any of its words. A word that is both common (in more than
# COMMON_SHARE of the passages, like "customer" in a CX archive) and costly (in more than COSTLY_POSTINGS
# passages) adds little to BM25 but most of the time, so it is left out; the query's rarest word stays.
COMMON_SHARE = 0.125
COSTLY_POSTINGS = 2_000
# And the words kept together may reach at most POSTINGS_SHARE of the passages (or MIN_BUDGET postings), rarest
# words first: FTS5 computes BM25 for every row that matches, so this bounds a search's time on a large archive.
# Chosen on the corpus questions over the 1,000-episode benchmark archive (143k passages): at 15% (21k
# postings there) the top 5 keyword passages hold gold quotes as often as with no budget (P@5 0.55 vs 0.54;
# hybrid P@5 0.63 both) and a search takes 23 ms instead of 31; a 15k budget fell to 0.47, 10k to 0.28.
POSTINGS_SHARE = 0.15
MIN_BUDGET = 20_000


class KeywordIndex:
    costly_postings = COSTLY_POSTINGS
    postings_share = POSTINGS_SHARE
    min_budget = MIN_BUDGET

    def __init__(self, path: Path):
        self.path = Path(path)
        # A search may run on another thread than the one that opened the index (answer/retrieve.py), never two
        # at once on this connection.
        self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._fill_episodes()
        self._vocab_ready = False
        # Term -> passages holding it. fts5vocab counts by walking the term's whole posting list (about 3 ms a
        # search at 143k passages), and a warm process meets the same words again; any write here clears it,
        # and an embedded store is not written by others while it is open (store/access.py).
        self._df: dict[str, int] = {}

    def keep_in_memory(self, max_mb: int = 512) -> int:
        """Let SQLite's page cache hold the whole index (up to max_mb), for a warm process: a search then reads
        no page twice. About 1.6x faster at 143k passages (62 -> 36-43 ms); a one-shot command gains nothing.
        Returns the cache size set, in MB."""
        size_mb = self.path.stat().st_size / 2**20 if self.path.exists() else 0
        cache_mb = int(min(max_mb, max(16, size_mb * 1.25)))
        self._db.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")
        return cache_mb

    def _fill_episodes(self) -> None:
        """An index written before `episodes` existed gets it from its passages, once."""
        if self._db.execute("SELECT 1 FROM episodes LIMIT 1").fetchone() or not self._db.execute(
                "SELECT 1 FROM passages LIMIT 1").fetchone():
            return
        with self._db:
            self._db.execute("INSERT INTO episodes (episode_id, ingest_id, text) SELECT episode_id, ingest_id, "
                             "group_concat(text, ' ') FROM passages GROUP BY episode_id, ingest_id")

    def add(self, rows: list[dict]) -> None:
        """One ingest's passages of one or more episodes (all of each episode's passages at once)."""
        self._df.clear()
        texts: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            texts.setdefault((row["episode_id"], row["ingest_id"]), []).append(row["text"])
        with self._db:
            self._db.executemany(
                "INSERT INTO passages (passage_id, episode_id, ingest_id, speaker, tactics, text) "
                "VALUES (:passage_id, :episode_id, :ingest_id, :speaker, :tactics, :text)",
                rows,
            )
            self._db.executemany("INSERT INTO episodes (episode_id, ingest_id, text) VALUES (?, ?, ?)",
                                 [(e, i, " ".join(parts)) for (e, i), parts in texts.items()])

    def delete_other_ingests(self, episode_id: str, keep_ingest_id: str | None) -> None:
        self._df.clear()
        with self._db:
            for table in ("passages", "episodes"):
                self._db.execute(f"DELETE FROM {table} WHERE episode_id = ? AND ingest_id IS NOT ?",
                                 (episode_id, keep_ingest_id or ""))

    def delete_ingest(self, ingest_id: str) -> None:
        self._df.clear()
        with self._db:
            for table in ("passages", "episodes"):
                self._db.execute(f"DELETE FROM {table} WHERE ingest_id = ?", (ingest_id,))

    def delete_episode(self, episode_id: str) -> None:
        self._df.clear()
        with self._db:
            for table in ("passages", "episodes"):
                self._db.execute(f"DELETE FROM {table} WHERE episode_id = ?", (episode_id,))

    @staticmethod
    def query_words(query: str) -> list[str]:
        return list(dict.fromkeys(w for w in _WORD.findall(query.lower()) if w not in _STOPWORDS))

    def informative_words(self, words: list[str]) -> list[str]:
        """The query's words less those common to most of the archive (see COMMON_SHARE), in query order."""
        if len(words) < 2:
            return words
        stems = self.stems(words)  # the index's own tokenizer stems the words, so counts match what MATCH sees
        counts, rows = self.document_frequencies(sorted(set(stems.values())))
        df = {w: counts.get(stems.get(w), 0) for w in words}
        limit = max(COMMON_SHARE * rows, self.costly_postings)
        budget = max(self.postings_share * rows, self.min_budget)
        kept, postings = set(), 0
        for word in sorted(words, key=df.get):  # rarest first; the rarest word that occurs at all always stays
            if postings and (df[word] > limit or postings + df[word] > budget):
                continue
            kept.add(word)
            postings += df[word]
        return [w for w in words if w in kept]

    def _vocabulary(self) -> None:
        if not self._vocab_ready:
            self._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, passages, 'row')")
            self._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.words USING fts5(word, tokenize = 'porter unicode61')")
            self._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.word_terms USING fts5vocab(temp, words, 'instance')")
            self._vocab_ready = True

    def stems(self, words: list[str]) -> dict[str, str]:
        """word -> the term the index stores it as (porter stem); words the tokenizer drops are left out."""
        if not words:
            return {}
        self._vocabulary()
        with self._db:
            self._db.executemany("INSERT INTO temp.words (rowid, word) VALUES (?, ?)", enumerate(words))
            stems = {words[row]: term for term, row in self._db.execute("SELECT term, doc FROM temp.word_terms")}
            self._db.execute("DELETE FROM temp.words")
        return stems

    def document_frequencies(self, terms: list[str]) -> tuple[dict[str, int], int]:
        """How many passages hold each (stemmed) term, and about how many passages there are."""
        missing = [t for t in dict.fromkeys(terms) if t not in self._df]
        if missing:
            self._vocabulary()
            found = dict(self._db.execute(
                f"SELECT term, doc FROM temp.vocab WHERE term IN ({','.join('?' * len(missing))})", missing))
            self._df.update({t: found.get(t, 0) for t in missing})
        counts = {t: self._df[t] for t in terms if self._df[t]}
        rows = self._db.execute("SELECT max(rowid) FROM passages").fetchone()[0] or 0  # O(1); counts deleted rows too
        return counts, rows

    def match_expression(self, query: str) -> str:
        return " OR ".join(f'"{t}"' for t in self.informative_words(self.query_words(query)))

    def search(self, query: str, limit: int, episode_id: str | None = None, speakers: list[str] | None = None,
               tactic: str | None = None, expression: str | None = None) -> list[tuple[str, str, float]]:
        """(passage_id, ingest_id, bm25) best first. bm25 is negated so larger is better. `expression`: the
        query's match_expression, when the caller already has it."""
        expression = self.match_expression(query) if expression is None else expression
        if not expression:
            return []
        sql = "SELECT passage_id, ingest_id, -bm25(passages) FROM passages WHERE passages MATCH ?"
        args: list = [expression]
        if episode_id:
            sql += " AND episode_id = ?"
            args.append(episode_id)
        if speakers:
            sql += f" AND speaker IN ({','.join('?' * len(speakers))})"
            args.extend(speakers)
        if tactic:
            sql += " AND instr(tactics, ?) > 0"
            args.append(f",{tactic},")
        sql += " ORDER BY bm25(passages) LIMIT ?"
        args.append(limit)
        return [(r[0], r[1], float(r[2])) for r in self._db.execute(sql, args)]

    def rank_episodes(self, query: str, limit: int, expression: str | None = None) -> list[tuple[str, str]]:
        """(episode_id, ingest_id) of the episodes whose whole text best matches the query's words (BM25), best
        first; the caller keeps committed ingests only."""
        expression = self.match_expression(query) if expression is None else expression
        if not expression:
            return []
        sql = "SELECT episode_id, ingest_id FROM episodes WHERE episodes MATCH ? ORDER BY bm25(episodes) LIMIT ?"
        return [(r[0], r[1]) for r in self._db.execute(sql, (expression, limit))]

    def ingests(self) -> dict[str, str]:
        """episode id -> the ingest id its rows carry (one per episode once cleanup has run)."""
        return dict(self._db.execute("SELECT DISTINCT episode_id, ingest_id FROM passages").fetchall())

    def all_rows(self):
        """(episode_id, ingest_id) of every row, for integrity checks."""
        return self._db.execute("SELECT episode_id, ingest_id FROM passages")

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM passages").fetchone()[0]

    def close(self) -> None:
        self._db.close()
