"""The store side of a batch: what to skip, downloads, and committing prepared episodes."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from cxinsight.errors import CxError, InputError, StoreError, StoreFailed
from cxinsight.ingest.prepare import Prepared
from cxinsight.settings import Settings
from cxinsight.sources.items import BatchItem


def source_identity(item: BatchItem) -> str:
    """What an episode id belongs to: the URL it was downloaded from, or the file's absolute path."""
    return item.url or str(Path(item.path).resolve()) if (item.url or item.path) else item.source


@dataclass
class Outcome:
    path: str
    status: str  # "indexed", "skipped", "failed"
    episode_id: str = ""
    detail: str = ""
    seconds: float = 0.0


@dataclass
class IngestReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


class Ingestor:
    """The store side of a batch: decides what to skip, downloads, commits prepared episodes."""

    def __init__(self, settings: Settings, lease=None):
        from cxinsight.embed import MODEL_NAME
        from cxinsight.extract.head import labelling_fingerprint
        from cxinsight.extract.taxonomy import load_taxonomy
        from cxinsight.store.archive import Archive

        self.settings = settings
        self.labelling = labelling_fingerprint(load_taxonomy(settings.taxonomy))  # a bad taxonomy stops here
        # A server lease can be lost to another writer while this one is stalled; a lock file cannot.
        self.confirm_writer = lease.confirm if lease is not None else (lambda: None)
        # Readers of an embedded store go on between commits; each commit holds them off (store/access.py).
        self.archive = Archive(settings.store, MODEL_NAME, create=True, chroma_url=settings.chroma_url, access="commits")
        from cxinsight.embed import get_embedder
        from cxinsight.store.integrity import upgrade

        self.upgraded = upgrade(self.archive, get_embedder())  # under the writer lock: an older store is brought up to date
        self.recovered = self.archive.recover()  # rows of writes a crash cut short
        self.media_dir = Path(settings.store) / "media"

    def locate(self, item: BatchItem) -> Path:
        """The local file for an item, downloading it first when it comes from a URL."""
        if item.error:
            raise CxError(item.error)
        if item.url:
            from cxinsight.sources.download import fetch

            while True:
                target = item.path or self.media_dir / f"{item.episode_id}{Path(item.url.split('?')[0]).suffix.lower()}"
                try:
                    return fetch(item.url, target, max_bytes=self.settings.max_download_mb * 1024 * 1024,
                                 max_seconds=self.settings.max_download_minutes * 60, warn=lambda message: self._note(item, message))
                except CxError as exc:
                    if not item.alternates:
                        raise
                    failed, (item.url, item.path) = item.url, item.alternates.pop(0)
                    self._note(item, f"{failed} failed ({exc}); used {item.url or item.path} instead")
                    if not item.url:
                        break  # a file beside a local feed: read in place
        path = Path(item.path)
        if path.is_symlink() and not path.exists():
            raise InputError(path, f"a broken link (to {os.readlink(path)}): its file is gone")
        if not path.is_file():
            raise InputError(path, "no such file or directory" if not path.exists() else "not a file")
        return path

    @staticmethod
    def _note(item: BatchItem, message: str) -> None:
        """Something the producer should know about an item that still worked: it ends in the outcome's detail."""
        item.note = "; ".join(filter(None, [item.note, message]))

    def claim_id(self, item: BatchItem, claimed: dict[str, str]) -> str:
        """Give the item an id no other source owns (in the store or earlier in this batch); say so if it changed.

        Ids are slugs of names, so `a/episode-1.srt` and `b/episode-1.vtt`, or two feeds' "Trailer", would
        otherwise replace each other in silence. A changed id is stable: the slug plus a hash of the source.
        """
        identity = source_identity(item)
        wanted = item.episode_id
        owner = claimed.get(wanted)
        where = "earlier in this batch"
        if owner is None:
            owner, where = self._owner(wanted), "already indexed"
        if owner is None or owner == identity:
            claimed[wanted] = identity
            return ""
        item.episode_id = f"{wanted}-{hashlib.sha1(identity.encode()).hexdigest()[:6]}"
        claimed[item.episode_id] = identity
        if item.url and item.path:  # downloads go under the new id too, never over the other source's file
            item.path = Path(item.path).with_name(item.episode_id + Path(item.path).suffix)
            item.alternates = [(url, Path(path).with_name(item.episode_id + Path(path).suffix)) for url, path in item.alternates]
        if self._owner(item.episode_id) == identity:
            return ""  # indexed under this id before, when the note was given: its id, not news
        return f"id '{wanted}' belongs to {owner} ({where}); indexed as '{item.episode_id}'"

    def _owner(self, episode_id: str) -> str | None:
        record = self.archive.record(episode_id)
        if not record:
            return None
        if record.get("source"):
            return record["source"]
        path = record.get("source_path") or ""  # stores from before ids were owned: the file it came from
        return str(Path(path).resolve()) if path and Path(path).exists() else None

    def skip_reason(self, item: BatchItem, digest: str, force: bool) -> str:
        """Why this content need not be indexed again ("" when it must be). Content indexed before with labels
        from another taxonomy or head (or before labels were fingerprinted) is indexed again, and said so."""
        if force:
            return ""
        current = self.archive.record(item.episode_id)
        if current and current.get("content_hash") == digest:
            if current.get("labelling") == self.labelling:
                return "already indexed, same content"
            self._note(item, "same content, labelled again (taxonomy or head changed)")
            return ""
        twin = self.archive.find_by_hash(digest)
        if twin and twin != item.episode_id:
            return f"same content as episode '{twin}'"
        return ""

    def commit(self, prepared: Prepared) -> None:
        """Write one episode. A store that fails here fails for the rest of the batch too: StoreError stops it."""
        n_p, n_m = len(prepared.passages), len(prepared.mentions)
        vectors = prepared.vectors
        try:
            self.archive.write_episode(
                prepared.episode, prepared.passages, vectors[:n_p], prepared.mentions, vectors[n_p : n_p + n_m],
                vectors[-1], extra=prepared.extra, confirm=self.confirm_writer,
            )
        except CxError:
            raise
        except Exception as exc:
            from cxinsight.store.diskspace import disk_full

            backend = self.archive.backend
            full = disk_full(self.archive.path, exc, judge_by_free_space=not backend.shared)
            raise StoreFailed(
                f"{backend.label}: {full or 'the store failed'} while indexing '{prepared.episode.id}' "
                f"({exc.__class__.__name__}: {exc}); finished episodes are saved, "
                f"{'free some space and ' if full else ''}re-run to resume"
            ) from None

    def commit_outcome(self, item: BatchItem, status: str, value) -> Outcome:
        """Commit a prepared episode (or record why it failed) and say how it went; any executor's results end here."""
        if status != "ok":
            return Outcome(item.source, "failed", item.episode_id, value)
        value.extra["source"] = source_identity(item)  # the id belongs to this source from now on
        try:
            self.commit(value)
            detail = "; ".join(filter(None, [item.note, value.detail]))
            return Outcome(item.source, "indexed", item.episode_id, detail, value.seconds)
        except StoreError:
            raise  # the store itself failed: the batch stops here
        except CxError as exc:
            return Outcome(item.source, "failed", item.episode_id, str(exc))
