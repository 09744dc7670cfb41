"""Pull quotes for writers: verbatim sentences from tactic mentions, best first.

A good pull quote is a complete sentence, makes sense on its own, carries a
point (it sits in a tactic mention), is not a question or filler, and comes from
the guest rather than the host. Quotes are always whole transcript sentences.
An episode with no tactic mention offers its best-standing sentences (tactic "").
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from cxinsight.text.people import is_host, organisation_of
from cxinsight.text.sentences import exact_times, is_question, span_estimated
from cxinsight.util.clock import clock
from cxinsight.util.links import record_link

# Openers that lean on what came before ("And that's why…"): the quote will not stand alone.
_LEANING = {"and", "but", "so", "because", "which", "that", "this", "it", "it's", "they", "he", "she", "those",
            "these", "also", "then", "yes", "yeah", "well", "or", "there", "that's", "exactly", "right", "no"}
_FILLER = re.compile(r"\b(um+|uh+|you know|i mean|kind of|sort of|like,)\b", re.I)
# A show's pleasantries stand alone but say nothing: "Welcome back to Retail Rewired.", "Thanks for having me."
_PLEASANTRY = re.compile(r"^[\"'“‘(]*(?:welcome\b|thanks?\b|thank you\b|good (?:morning|afternoon|evening)\b|hello\b|hi\b|hey\b"
                         r"|today i'?m (?:joined|here|talking|speaking)|my guest\b|joining (?:me|us)\b|it'?s (?:great|good|a pleasure) to)",
                         re.I)
_CONCRETE = re.compile(r"\d|\b(hundred|thousand|million|percent|half|third|twice|every|never)\b", re.I)


@dataclass
class Quote:
    episode_id: str
    title: str
    speaker: str
    organisation: str
    start: float
    end: float
    text: str
    tactic: str
    score: float
    link: str = ""
    times_estimated: bool = False

    @property
    def timestamp(self) -> str:
        return clock(self.start)

    def as_dict(self) -> dict:
        return {**asdict(self), "timestamp": self.timestamp, "score": round(self.score, 3)}


def _unbalanced(text: str) -> bool:
    """A quotation mark opened and not closed, or closed and not opened: `Vasquez says: "We hired adults.`"""
    return text.count('"') % 2 == 1 or text.count("“") != text.count("”")


def quote_score(text: str, by_host: bool, relevance: float) -> float:
    words = text.split()
    score = 2.0 * relevance
    if not (re.match(r"^[\"'“‘(]*[A-Z0-9]", text) and re.search(r"[.!]['\"”’)]*$", text)):
        score -= 1.0  # not a complete statement
    if _unbalanced(text):
        score -= 1.0  # half of a quotation: the sentence splitter cut it at a full stop inside the marks
    if text.rstrip("\"'”’) ").endswith("?"):
        score -= 1.5  # a question is not a pull quote
    if words and words[0].lower().strip(",.;:") in _LEANING:
        score -= 0.6
    score -= 0.3 * len(_FILLER.findall(text))
    score += 0.5 if 12 <= len(words) <= 40 else (-0.5 if len(words) > 60 else 0.0)
    if by_host:
        score -= 0.8
    if _CONCRETE.search(text):
        score += 0.2
    if _PLEASANTRY.match(text):
        score -= 1.0
    return score


def _candidates(sentences: list, ids: list[str]) -> list[list]:
    """Single sentences of a mention, plus a short sentence joined with the next one of the same speaker."""
    by_id = {s.id: s for s in sentences}
    chosen = [by_id[i] for i in ids if i in by_id]
    out = [[s] for s in chosen]
    for a, b in zip(chosen, chosen[1:]):
        if b.index == a.index + 1 and a.speaker == b.speaker and (len(a.text.split()) < 12 or _unbalanced(a.text)):
            out.append([a, b])  # a short sentence, or a quotation's first half, with what follows it
    return out


def find_quotes(archive, episode_id: str | None = None, tactic: str | None = None, speaker: str | None = None,
                min_words: int = 8) -> list[Quote]:
    records = archive.records()
    mentions = archive.all_mentions(episode_id=episode_id, tactic_id=tactic)
    loaded: dict = {}
    if not mentions and episode_id and not tactic and episode_id in records:
        # An episode with no tactic mention still has pull quotes: every sentence is a candidate, ranked by how
        # well it stands alone (no tactic evidence to add). Show notes need them as much.
        loaded[episode_id], _ = archive.load_episode(episode_id)
        mentions = [{"episode_id": episode_id, "tactic": "", "score": 0.0,
                     "sentence_ids": json.dumps([s.id for s in loaded[episode_id].sentences])}]
    by_episode: dict[str, list[dict]] = {}
    for m in mentions:
        by_episode.setdefault(m["episode_id"], []).append(m)
    best: dict[tuple, Quote] = {}
    for ep_id, ep_mentions in by_episode.items():
        episode = loaded.get(ep_id) or archive.load_episode(ep_id)[0]
        record = records.get(ep_id, {})
        exact = exact_times(episode.transcript)
        for m in ep_mentions:
            for group in _candidates(episode.sentences, json.loads(m["sentence_ids"])):
                text = " ".join(s.text for s in group)
                who = group[0].speaker
                if len(text.split()) < min_words or (speaker and speaker.lower() not in who.lower()):
                    continue
                host, guest = record.get("host") or "", record.get("guest") or ""
                if is_question(text) or (is_host(who, host, guest) and "?" in text):
                    continue  # a question, above all the host's, is never a pull quote
                quote = Quote(
                    episode_id=ep_id, title=record.get("title", ""), speaker=who,
                    organisation=organisation_of(who, host, guest, record.get("organisation") or ""),
                    start=group[0].start, end=group[-1].end, text=text, tactic=m["tactic"],
                    score=quote_score(text, is_host(who, host, guest), float(m.get("score", 0.0))),
                    link=record_link(record, group[0].start), times_estimated=bool(record.get("times_estimated")) or span_estimated(group, exact),
                )
                key = (ep_id, group[0].id)
                if key not in best or quote.score > best[key].score:
                    best[key] = quote
    kept: list[Quote] = []
    spans: dict[str, list[tuple[float, float]]] = {}
    for quote in sorted(best.values(), key=lambda q: (-q.score, q.episode_id, q.start)):
        # a sentence is offered once: a pair and its second sentence alone would repeat the same words
        taken = spans.setdefault(quote.episode_id, [])
        if not any(start < quote.end and quote.start < end for start, end in taken):
            kept.append(quote)
            taken.append((quote.start, quote.end))
    return kept


def render_quotes(quotes: list[Quote], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"quotes": [q.as_dict() for q in quotes]}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        fields = ["episode_id", "title", "speaker", "organisation", "timestamp", "start", "end", "tactic", "text", "link"]
        writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(q.as_dict() for q in quotes)
        return out.getvalue()
    return "\n".join(markdown_quote(q) for q in quotes)


def markdown_quote(q: Quote) -> str:
    who = ", ".join(x for x in (q.speaker or "Unknown speaker", q.organisation) if x)
    when = f"~{q.timestamp}" if q.times_estimated else q.timestamp
    when = f"[{when}]({q.link})" if q.link else when
    return f"> “{q.text}”\n>\n> — {who} · *{q.title}* · {when}\n"
