"""Deep links to a moment of an episode: URL#t=SECONDS, or the episode's own pattern."""

from __future__ import annotations

DEFAULT_TEMPLATE = "{url}#t={seconds}"


def deep_link(url: str, seconds: float, template: str = "") -> str:
    """"" when the episode has no URL. A template may use {url}, {seconds}, {mm}, {ss}, {hms}."""
    if not url:
        return ""
    total = max(int(seconds), 0)
    values = {"url": url, "seconds": total, "mm": total // 60, "ss": f"{total % 60:02d}",
              "hms": f"{total // 3600}h{total // 60 % 60}m{total % 60}s"}
    try:
        return (template or DEFAULT_TEMPLATE).format(**values)
    except (KeyError, IndexError, ValueError):  # a broken pattern in metadata: fall back, never crash
        return DEFAULT_TEMPLATE.format(**values)


def record_link(record: dict, seconds: float) -> str:
    return deep_link(record.get("url", ""), seconds, record.get("link_template", ""))
