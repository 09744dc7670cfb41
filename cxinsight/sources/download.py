"""Fetch feed enclosures and transcripts: http/https only, size- and time-capped, resumable.

A download goes to NAME.part and is renamed when complete, so a killed batch
resumes where it stopped (HTTP Range) and never mistakes half a file for a whole one.
NAME.part.meta remembers the file's ETag or Last-Modified, sent back as If-Range, so a
file that changed between attempts is downloaded again, never spliced from two versions.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from cxinsight.errors import InputError

MAX_BYTES = 1024 * 1024 * 1024  # 1 GiB: a 2-hour 320 kbps MP3 is about 290 MB
TIMEOUT_SECONDS = 60.0  # for connecting and for each read
MAX_SECONDS = 30 * 60.0  # for a whole download: a server trickling bytes cannot hold a batch forever


def check_url(url: str) -> str:
    scheme = urlparse(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise InputError(url, f"only http and https downloads are allowed, not '{scheme or 'a local path'}'")
    return url


def _validators(response) -> dict:
    """What identifies this version of the file: a strong ETag (weak ones cannot guard a Range) or Last-Modified."""
    etag = response.headers.get("etag") or ""
    return {k: v for k, v in (("etag", "" if etag.startswith("W/") else etag),
                              ("last_modified", response.headers.get("last-modified") or "")) if v}


def _read_meta(meta: Path, url: str) -> dict:
    try:
        remembered = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return remembered if isinstance(remembered, dict) and remembered.get("url") == url else {}


def _resume_headers(have: int, remembered: dict) -> dict:
    """Range plus If-Range: the server sends the rest only if the file is still the version we have the start of."""
    validator = remembered.get("etag") or remembered.get("last_modified")
    return {"Range": f"bytes={have}-", "If-Range": validator} if have and validator else {}


def fetch(url: str, target: Path, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_SECONDS,
          max_seconds: float = MAX_SECONDS, warn: Callable[[str], None] = lambda message: None) -> Path:
    """Download url to target (skipped when target exists); raises InputError with one clear reason.

    A stopped download resumes only when the first attempt recorded a validator (NAME.part.meta) and the
    server confirms, through If-Range, that the file is unchanged; otherwise it starts again from zero,
    and `warn` says so when the file had changed, so a resumed file is never spliced from two versions.
    """
    import httpx

    check_url(url)
    if target.exists():
        return target
    part = target.with_name(target.name + ".part")
    meta = target.with_name(target.name + ".part.meta")
    have = part.stat().st_size if part.exists() else 0
    remembered = _read_meta(meta, url) if have else {}
    headers = _resume_headers(have, remembered)
    if not headers:
        have = 0  # nothing to resume from safely: a .part of unknown version is never extended
    try:
        with httpx.stream("GET", url, headers=headers, timeout=timeout, follow_redirects=True) as response:
            if response.status_code == 416 and have:  # If-Range matched and nothing follows `have`: complete
                if _content_range(response)[1] in (None, have):
                    _finish(part, meta, target)
                    return target
                _discard(part, meta)
                raise InputError(url, "download failed: the server refused to resume it; re-run to download again")
            if response.status_code >= 400:
                raise InputError(url, f"download failed: HTTP {response.status_code} {response.reason_phrase}")
            current = _validators(response)
            if have and response.status_code != 206:
                changed = any(current.get(k) not in (None, v) for k, v in remembered.items() if k != "url")
                warn(f"{url}: the file changed on the server since the download stopped; downloaded again from the start"
                     if changed else f"{url}: the server did not resume the stopped download; downloaded again from the start")
                have = 0
            if have and _content_range(response)[0] not in (None, have):
                _discard(part, meta)
                raise InputError(url, "download failed: the server resumed at a different byte than asked; "
                                 "re-run to download again")
            length = int(response.headers.get("content-length") or 0)
            if have + length > max_bytes:
                raise InputError(url, f"too large to download: {(have + length) / 1e6:.0f} MB (limit {max_bytes / 1e6:.0f} MB)")
            target.parent.mkdir(parents=True, exist_ok=True)
            if not have:  # a new .part: remember which version of the file it is the start of
                meta.write_text(json.dumps({"url": url, **current}), encoding="utf-8")
            deadline = time.monotonic() + max_seconds
            with open(part, "ab" if have else "wb") as out:
                written = have
                for block in response.iter_bytes():  # as bytes arrive, so the time cap holds on a trickle
                    written += len(block)
                    if written > max_bytes:
                        raise InputError(url, f"too large to download: over the {max_bytes / 1e6:.0f} MB limit")
                    out.write(block)
                    if time.monotonic() > deadline:  # the .part stays: a re-run resumes from here
                        again = "re-run to resume" if current else "re-run to try again; the server names no version to resume"
                        raise InputError(url, f"download took over {max_seconds / 60:.0f} min; stopped "
                                         f"at {written / 1e6:.0f} MB ({again})")
    except httpx.TimeoutException:
        raise InputError(url, f"download timed out after {timeout:.0f} s") from None
    except httpx.HTTPError as exc:
        raise InputError(url, f"download failed: {exc.__class__.__name__}: {exc}") from None
    _finish(part, meta, target)
    return target


def _content_range(response) -> tuple[int | None, int | None]:
    """(first byte, total size) of `Content-Range: bytes FIRST-LAST/TOTAL` or `bytes */TOTAL`; None where not said."""
    match = re.match(r"bytes (?:(\d+)-\d+|\*)/(\d+)", response.headers.get("content-range") or "")
    if not match:
        return None, None
    return (int(match.group(1)) if match.group(1) else None), int(match.group(2))


def _finish(part: Path, meta: Path, target: Path) -> None:
    part.replace(target)
    meta.unlink(missing_ok=True)


def _discard(part: Path, meta: Path) -> None:
    part.unlink(missing_ok=True)
    meta.unlink(missing_ok=True)


def read_url_text(url: str, max_bytes: int = 20 * 1024 * 1024, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """A small document (a feed) into memory, with the same rules."""
    import httpx

    check_url(url)
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            if response.status_code >= 400:
                raise InputError(url, f"download failed: HTTP {response.status_code} {response.reason_phrase}")
            data = bytearray()
            for block in response.iter_bytes(1 << 16):
                data += block
                if len(data) > max_bytes:
                    raise InputError(url, f"too large: over {max_bytes / 1e6:.0f} MB")
            return bytes(data)
    except httpx.TimeoutException:
        raise InputError(url, f"download timed out after {timeout:.0f} s") from None
    except httpx.HTTPError as exc:
        raise InputError(url, f"download failed: {exc.__class__.__name__}: {exc}") from None
