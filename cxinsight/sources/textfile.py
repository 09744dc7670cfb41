"""Shared helpers for reading text inputs safely."""

from __future__ import annotations

import re
from pathlib import Path

from cxinsight.errors import InputError

WORDS_PER_SECOND = 2.5  # ~150 words a minute, typical interview speech
# Encodings a file announces with a byte-order mark (longest first: UTF-32 LE starts like UTF-16 LE).
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xef\xbb\xbf", "utf-8-sig"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def read_text(path: Path, notes: list[str] | None = None) -> str:
    """Read a UTF-8 text file, turning every way it can be unreadable into one clear InputError.

    Lines that are not UTF-8 but read as Windows-1252 text (Word's "Save as text" and older caption tools write
    it: an accented letter, a curly quote or a dash as one byte) are read so, and `notes` says how many: refusing
    a whole transcript for one curly quote loses it. A file whose bytes are not text either way (binary, UTF-16 without its mark) is still refused."""
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
        read = _windows_1252_lines(raw) if encoding == "utf-8" else None
        if read is None:
            raise InputError(
                path, f"not {encoding.upper()} text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                      "re-save it as UTF-8"
            ) from None
        text, legacy = read
        if notes is not None:
            notes.append(f"{len(legacy)} line{'s' if len(legacy) != 1 else ''} not UTF-8, read as Windows-1252 "
                         f"(first: line {legacy[0]})")
    # Zero-width spaces and word joiners are formatting, not text: "Ze\u200bynep Kaya:" is Zeynep Kaya's label, and a
    # search for her name finds it. (Zero-width joiners stay: they hold emoji sequences together.)
    return _INVISIBLE.sub("", text.lstrip("\ufeff")).replace("\r\n", "\n").replace("\r", "\n")


_INVISIBLE = re.compile("[\u200b\u2060\ufeff]")


# Control characters other than tab, newline, form feed and carriage return mean binary data, not text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _windows_1252_lines(raw: bytes) -> tuple[str, list[int]] | None:
    """Each line as UTF-8, or else as Windows-1252 (a file pasted together from both reads right), with the
    numbers of the lines read as Windows-1252; None when the result is not text: a byte Windows-1252 leaves undefined, control characters, or mostly non-ASCII
    letters (another code page, such as Cyrillic, read wrongly)."""
    lines, legacy, numbers = [], [], []
    for number, line in enumerate(raw.split(b"\n"), 1):
        try:
            lines.append(line.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            pass
        try:
            decoded = line.decode("cp1252")
        except UnicodeDecodeError:
            return None
        lines.append(decoded)
        legacy.append(decoded)
        numbers.append(number)
    letters = [c for c in "".join(legacy) if c.isalpha()]
    if _CONTROL.search("".join(legacy)) or sum(not c.isascii() for c in letters) > 0.3 * len(letters):
        return None
    return "\n".join(lines), numbers


def estimate_seconds(text: str) -> float:
    return max(len(text.split()), 1) / WORDS_PER_SECOND
