"""Where the Chroma collections live: an embedded store in a folder, or a shared Chroma server.

Both keep the same three things beside the collections: the store description (schema,
embedder), the write journal (rows of writes not yet cleaned up) and, for the server, the
writer lease. Locally these are files; on a server they are rows of a small collection
so that every machine using the server sees them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlparse

from cxinsight.errors import StoreError
from cxinsight.store import schema

META = "cxinsight_meta"  # info, journal and lease rows on a server
_UNIT = [1.0]  # meta rows carry no meaning in their vectors, but Chroma wants one


def _chroma_settings():
    from cxinsight.store.chroma_import import import_chromadb

    return import_chromadb().config.Settings(anonymized_telemetry=False)


class LocalBackend:
    """An embedded Chroma (PersistentClient) in STORE/chroma; description in STORE/store.json."""

    shared = False

    def __init__(self, path: Path):
        self.path = Path(path)
        self.label = str(self.path)
        self._client = None

    def read_info(self) -> dict | None:
        return schema.read_info(self.path)

    def write_info(self, info: dict) -> None:
        schema.write_info(self.path, info)

    def access(self):
        """The locks that keep commits apart from readers (store/access.py)."""
        from cxinsight.store.access import StoreAccess

        return StoreAccess(self.path)

    def client(self):
        if self._client is None:
            from cxinsight.store.chroma_import import import_chromadb

            chromadb = import_chromadb()
            self._client = chromadb.PersistentClient(path=str(self.path / "chroma"), settings=_chroma_settings())
        return self._client

    @property
    def _journal(self) -> Path:
        return self.path / "journal"

    def journal_add(self, ingest_id: str, episode_id: str) -> None:
        self._journal.mkdir(exist_ok=True)
        (self._journal / ingest_id).write_text(episode_id, encoding="utf-8")

    def journal_remove(self, ingest_id: str) -> None:
        (self._journal / ingest_id).unlink(missing_ok=True)

    def journal_entries(self) -> list[tuple[str, str]]:
        if not self._journal.is_dir():
            return []
        return [(p.name, p.read_text(encoding="utf-8").strip()) for p in sorted(self._journal.iterdir())]


class ServerBackend:
    """A Chroma server (HttpClient); description, journal and lease in the cxinsight_meta collection."""

    shared = True

    def __init__(self, url: str, cache: Path):
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise StoreError(f"{url}: not a Chroma server URL (expected http://HOST:PORT)")
        self.url = url
        self.label = url
        self.path = Path(cache)  # local cache: keyword index, transcripts, batch log
        self._host, self._ssl = parsed.hostname, parsed.scheme == "https"
        self._port = parsed.port or (443 if self._ssl else 8000)
        self._client = None
        self._meta = None

    def access(self):
        return None  # the server orders reads and writes itself

    def client(self):
        if self._client is None:
            from cxinsight.store.chroma_import import import_chromadb

            chromadb = import_chromadb()
            try:
                self._client = chromadb.HttpClient(host=self._host, port=self._port, ssl=self._ssl, settings=_chroma_settings())
            except Exception as exc:
                raise StoreError(f"{self.url}: cannot reach the Chroma server ({exc}); is `chroma run` going?") from None
        return self._client

    def meta(self):
        if self._meta is None:
            self._meta = self.client().get_or_create_collection(META, embedding_function=None)
        return self._meta

    def _get(self, row_id: str) -> str | None:
        got = self.meta().get(ids=[row_id], include=["documents"])
        return got["documents"][0] if got["ids"] else None

    def _put(self, row_id: str, document: str, metadata: dict | None = None) -> None:
        self.meta().upsert(ids=[row_id], documents=[document], embeddings=[_UNIT], metadatas=[metadata] if metadata else None)

    def read_info(self) -> dict | None:
        text = self._get("info")
        if text is None:
            return None
        try:
            info = json.loads(text)
        except ValueError:
            raise StoreError(f"{self.url}: damaged store description; run `cxinsight doctor --repair`") from None
        if int(info.get("schema_version", 0)) > schema.SCHEMA_VERSION:
            raise StoreError(f"{self.url}: store schema {info['schema_version']} is newer than this cxinsight "
                             f"understands ({schema.SCHEMA_VERSION}); upgrade cxinsight (pip install -U cxinsight)")
        return info

    def write_info(self, info: dict) -> None:
        self._put("info", json.dumps(info))

    def journal_add(self, ingest_id: str, episode_id: str) -> None:
        self._put(f"journal:{ingest_id}", episode_id, {"kind": "journal"})

    def journal_remove(self, ingest_id: str) -> None:
        self.meta().delete(ids=[f"journal:{ingest_id}"])

    def journal_entries(self) -> list[tuple[str, str]]:
        got = self.meta().get(where={"kind": "journal"}, include=["documents"])
        return [(i.split(":", 1)[1], doc) for i, doc in zip(got["ids"], got["documents"])]


def backend_for(store: Path, chroma_url: str | None):
    if chroma_url:
        return ServerBackend(chroma_url, store)
    return LocalBackend(store)


def owner_id() -> str:
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"
