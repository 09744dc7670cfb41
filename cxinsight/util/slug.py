"""Ids and file names from titles: ASCII slugs that cannot escape a folder."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """A filesystem- and URL-safe id: lowercase ASCII letters, digits and dashes (no '/', no '..')."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    if len(slug) < len(str(text).strip()) / 3:  # mostly non-Latin (e.g. 顧客体験): keep ids distinct with a hash
        import hashlib

        slug = "-".join([slug or "episode", hashlib.sha1(str(text).encode()).hexdigest()[:8]])
    return slug or "episode"
