"""Shared helpers for reading text inputs safely."""

from __future__ import annotations

from pathlib import Path

from cxinsight.errors import InputError

WORDS_PER_SECOND = 2.5  # ~150 words a minute, typical interview speech
# Encodings a file announces with a byte-order mark (longest first: UTF-32 LE starts like UTF-16 LE).
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xef\xbb\xbf", "utf-8-sig"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def read_text(path: Path) -> str:
    """Read a UTF-8 text file, turning every way it can be unreadable into one clear InputError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    if not raw.strip():
        raise InputError(path, "empty file")
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), "utf-8")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"not {encoding.upper()} text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                  "re-save it as UTF-8"
        ) from None
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def estimate_seconds(text: str) -> float:
    return max(len(text.split()), 1) / WORDS_PER_SECOND
