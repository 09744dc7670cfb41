"""Times as people read them: mm:ss, or h:mm:ss past an hour."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """Whole seconds rounded down: a quote shown at 00:19 starts at 19.5 s, so seeking there never misses it."""
    seconds = int(max(seconds, 0.0) + 1e-6)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
