"""Exports: one episode's transcript (txt, srt, vtt, json), or every tactic mention as CSV for spreadsheets."""

from __future__ import annotations

import csv
import io

from cxinsight.models import known_language
from cxinsight.text.formats import render_transcript
from cxinsight.util.clock import clock
from cxinsight.util.links import record_link

MENTION_COLUMNS = ["episode_id", "title", "show", "guest", "organisation", "date", "tactic_id", "tactic",
                   "speaker", "start", "end", "timestamp", "link", "quote"]


def export_episode(archive, episode_id: str, fmt: str) -> str:
    episode, _ = archive.load_episode(episode_id)
    transcript = episode.transcript
    # Stores written before the default became "" hold "en" for sources that never named a language.
    transcript = transcript.model_copy(update={"language": known_language(transcript)})
    return render_transcript(transcript, fmt)


def export_mentions(archive, taxonomy) -> str:
    names = {t.id: t.name for t in taxonomy.tactics}
    records = archive.records()
    rows = []
    for m in sorted(archive.all_mentions(), key=lambda m: (m["episode_id"], m["start"])):
        record = records.get(m["episode_id"], {})
        rows.append({
            "episode_id": m["episode_id"], "title": record.get("title", ""), "show": record.get("show", ""),
            "guest": record.get("guest", ""), "organisation": record.get("organisation", ""), "date": record.get("date", ""),
            "tactic_id": m["tactic"], "tactic": names.get(m["tactic"], m["tactic"]), "speaker": m.get("speaker", ""),
            "start": m["start"], "end": m["end"], "timestamp": clock(m["start"]), "link": record_link(record, m["start"]),
            "quote": m["quote"],
        })
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MENTION_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def mention_counts(archive) -> dict[str, dict[str, int]]:
    """tactic id -> episode id -> mentions (for charts)."""
    counts: dict[str, dict[str, int]] = {}
    for m in archive.all_mentions():
        counts.setdefault(m["tactic"], {}).setdefault(m["episode_id"], 0)
        counts[m["tactic"]][m["episode_id"]] += 1
    return counts

