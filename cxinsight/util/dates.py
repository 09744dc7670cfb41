"""Episode dates as one sortable form, YYYY-MM-DD, whatever a sidecar, manifest or feed wrote."""

from __future__ import annotations

import datetime as dt
import email.utils
import re

# Written-out forms, tried in order; numeric day/month orders ("03/04/2024") are ambiguous and kept as written.
_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y",
            "%d %B, %Y", "%A, %B %d, %Y", "%a, %b %d, %Y", "%Y%m%d")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.I)


def iso_date(value) -> str:
    """`value` as YYYY-MM-DD when it names a day unambiguously ("March 3rd, 2024", "3 Mar 2024", an RFC 2822 or
    ISO 8601 timestamp, a YAML date); otherwise as written, stripped: a date is shown and exported, never
    guessed."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    text = " ".join(str(value or "").split())
    if not text:
        return ""
    cleaned = _ORDINAL.sub("", text.replace("Sept ", "Sep "))
    for fmt in _FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).strftime("%Y-%m-%d")
        except ValueError:
            pass
    try:  # ISO 8601 with a time ("2024-03-03T10:00:00Z")
        return dt.datetime.fromisoformat(cleaned.replace("Z", "+00:00")).strftime("%Y-%m-%d")
    except ValueError:
        pass
    try:  # RFC 2822, as feeds write pubDate ("Sun, 03 Mar 2024 10:00:00 GMT")
        return email.utils.parsedate_to_datetime(cleaned).strftime("%Y-%m-%d")
    except (TypeError, ValueError, IndexError):
        return text
