"""Fetch feed enclosures and transcripts: http/https only, size- and time-capped, resumable.

A download goes to NAME.part and is renamed when complete, so a killed batch
resumes where it stopped (HTTP Range) and never mistakes half a file for a whole one.
"""

from __future__ import annotations

import time
from pathlib import Path
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


def fetch(url: str, target: Path, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_SECONDS,
          max_seconds: float = MAX_SECONDS) -> Path:
    """Download url to target (skipped when target exists); raises InputError with one clear reason."""
    import httpx

    check_url(url)
    if target.exists():
        return target
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with httpx.stream("GET", url, headers=headers, timeout=timeout, follow_redirects=True) as response:
            if response.status_code == 416:  # the .part is already complete
                part.replace(target)
                return target
            if response.status_code >= 400:
                raise InputError(url, f"download failed: HTTP {response.status_code} {response.reason_phrase}")
            if response.status_code != 206:
                have = 0  # the server ignored Range: start again
            length = int(response.headers.get("content-length") or 0)
            if have + length > max_bytes:
                raise InputError(url, f"too large to download: {(have + length) / 1e6:.0f} MB (limit {max_bytes / 1e6:.0f} MB)")
            target.parent.mkdir(parents=True, exist_ok=True)
            deadline = time.monotonic() + max_seconds
            with open(part, "ab" if have else "wb") as out:
                written = have
                for block in response.iter_bytes():  # as bytes arrive, so the time cap holds on a trickle
                    written += len(block)
                    if written > max_bytes:
                        raise InputError(url, f"too large to download: over the {max_bytes / 1e6:.0f} MB limit")
                    out.write(block)
                    if time.monotonic() > deadline:  # the .part stays: a re-run resumes from here
                        raise InputError(url, f"download took over {max_seconds / 60:.0f} min; stopped "
                                         f"at {written / 1e6:.0f} MB (re-run to resume)")
    except httpx.TimeoutException:
        raise InputError(url, f"download timed out after {timeout:.0f} s") from None
    except httpx.HTTPError as exc:
        raise InputError(url, f"download failed: {exc.__class__.__name__}: {exc}") from None
    part.replace(target)
    return target


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
