"""Storage: the Chroma archive, the keyword index, and the writer lock."""

from cxinsight.store.archive import SCHEMA_VERSION, Archive
from cxinsight.store.lock import writer_lock

__all__ = ["SCHEMA_VERSION", "Archive", "writer_lock"]
