"""Show notes for one episode: summary, chapters, key tactics, pull quotes, guest line.

Without an LLM everything is extractive: the summary is the guest's most central
sentences (closest to the episode's mean embedding, kept diverse), in the order
they were said, so every sentence of the notes is verbatim from the transcript.
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np

from cxinsight.notes.quotes import _LEANING, find_quotes, markdown_quote
from cxinsight.text.people import role_of
from cxinsight.util.clock import clock
from cxinsight.util.links import record_link

SUMMARY_SENTENCES = 3
PULL_QUOTES = 4


def _summary(sentences, embedder, meta, mentioned: set[str]) -> list:
    return _summary_pool(sentences, embedder, meta, mentioned, SUMMARY_SENTENCES)


def _summary_pool(sentences, embedder, meta, mentioned: set[str], size: int) -> list:
    pool = [s for s in sentences if len(s.text.split()) >= 8 and not s.text.endswith("?")
            and s.text.split()[0].lower().strip(",.;:") not in _LEANING]  # sentences that stand alone
    guests = [s for s in pool if role_of(s.speaker, meta.host, meta.guest) == "guest"]
    pool = guests or pool
    if not pool:
        return []
    vectors = embedder.embed([s.text for s in pool])
    centroid = vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    relevance = vectors @ centroid + np.array([0.05 if s.id in mentioned else 0.0 for s in pool])
    chosen: list[int] = []
    while len(chosen) < min(size, len(pool)):  # maximal marginal relevance: central, not repetitive
        redundancy = (vectors @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(pool))
        mmr = 0.7 * relevance - 0.3 * redundancy
        mmr[chosen] = -np.inf
        chosen.append(int(np.argmax(mmr)))
    return sorted((pool[i] for i in chosen), key=lambda s: s.start)


def _chapters(sentences, mentions, names: dict[str, str], duration: float) -> list[dict]:
    """Cut every few minutes at a speaker change; name each chapter after its main tactic."""
    if not sentences:
        return []
    length = min(max(duration / 6, 120.0), 600.0)
    tactic_of: dict[str, str] = {}
    for m in mentions:
        for sid in m.sentence_ids:
            tactic_of.setdefault(sid, m.tactic_id)
    groups, current, next_cut = [], [sentences[0]], length
    for prev, s in zip(sentences, sentences[1:]):
        if s.start >= next_cut and s.speaker != prev.speaker:
            groups.append(current)
            current, next_cut = [], s.start + length
        current.append(s)
    groups.append(current)
    chapters: list[dict] = []
    for group in groups:
        counts = Counter(tactic_of[s.id] for s in group if s.id in tactic_of)
        if counts:
            title = names.get(counts.most_common(1)[0][0], counts.most_common(1)[0][0])
        else:
            first = next((s for s in group if len(s.text.split()) >= 5), group[0])
            words = first.text.split()
            title = " ".join(words[:8]).rstrip(",.;:") + ("…" if len(words) > 8 else "")
        if chapters and chapters[-1]["title"] == title:
            chapters[-1]["end"] = group[-1].end  # same topic continues: one chapter
            continue
        chapters.append({"start": group[0].start, "end": group[-1].end, "title": title})
    if chapters and counts_intro(sentences, chapters[0]):
        chapters[0]["title"] = f"Introduction: {chapters[0]['title']}"
    return chapters


def counts_intro(sentences, chapter: dict) -> bool:
    return chapter["start"] <= 1.0 and any("welcome" in s.text.lower() for s in sentences[:3])


def _generated_summary(client, meta, sources, embedder) -> tuple[list[dict], str]:
    """2-4 generated sentences, each kept only if it cites source sentences that support it."""
    from cxinsight.answer.generative import check_citations, supported
    from cxinsight.llm.calls import LLMError
    from cxinsight.llm.prompts import load_prompt

    prompt = load_prompt("summary")
    numbered = "\n".join(f"[{n}] {s.text}" for n, s in enumerate(sources, 1))
    try:
        reply = client.complete(prompt, {"title": meta.title, "guest": meta.guest or "unknown", "sentences": numbered})
    except LLMError as exc:
        return [], str(exc)
    claims = supported(check_citations(reply, len(sources)), [s.text for s in sources], embedder)
    if not claims:
        return [], "no generated sentence was supported by the transcript"
    return [{"text": text, "sources": [sources[n - 1].id for n in numbers], "start": sources[numbers[0] - 1].start,
             "speaker": "", "generated_by": f"{client.spec} ({prompt.version})"} for text, numbers in claims], ""


def build_shownotes(archive, embedder, taxonomy, episode_id: str, client=None) -> dict:
    episode, mentions = archive.load_episode(episode_id)
    record = archive.record(episode_id)
    names = {t.id: t.name for t in taxonomy.tactics}
    meta = episode.meta
    first_seen: dict[str, dict] = {}
    sentence_by_id = {s.id: s for s in episode.sentences}
    for m in sorted(mentions, key=lambda m: sentence_by_id[m.sentence_ids[0]].start):
        start = sentence_by_id[m.sentence_ids[0]].start
        entry = first_seen.setdefault(m.tactic_id, {"id": m.tactic_id, "name": names.get(m.tactic_id, m.tactic_id),
                                                    "start": start, "mentions": 0, "link": record_link(record, start)})
        entry["mentions"] += 1
    mentioned = {sid for m in mentions for sid in m.sentence_ids}
    summary = _summary(episode.sentences, embedder, meta, mentioned)
    summary_rows = [{"text": s.text, "speaker": s.speaker, "start": s.start, "sentence_id": s.id} for s in summary]
    note = ""
    if client is not None:
        sources = sorted(_summary_pool(episode.sentences, embedder, meta, mentioned, 10), key=lambda s: s.start)
        generated, failure = _generated_summary(client, meta, sources, embedder)
        if generated:
            summary_rows = generated
        else:
            note = f"generated summary unavailable ({failure}); extractive summary shown"
    quotes, used_tactics = [], set()
    ranked = find_quotes(archive, episode_id=episode_id)
    for q in ranked:  # one quote per tactic first, then the best of the rest
        if q.tactic not in used_tactics and len(quotes) < PULL_QUOTES and q.score > 0:
            quotes.append(q)
            used_tactics.add(q.tactic)
    quotes += [q for q in ranked if q not in quotes and q.score > 0][: max(0, 3 - len(quotes))]
    quotes.sort(key=lambda q: q.start)
    chapters = _chapters(episode.sentences, mentions, names, episode.transcript.duration)
    for chapter in chapters:
        chapter["link"] = record_link(record, chapter["start"])
    return {
        "episode_id": episode_id, "title": meta.title, "show": meta.show, "date": meta.date, "url": meta.url,
        "guest": meta.guest, "organisation": meta.organisation, "host": meta.host,
        "times_estimated": episode.times_estimated,
        "summary": summary_rows, "summary_note": note,
        "chapters": chapters,
        "tactics": sorted(first_seen.values(), key=lambda t: t["start"]),
        "quotes": [q.as_dict() for q in quotes],
        "_quotes": quotes,
    }


def render_shownotes(notes: dict, fmt: str) -> str:
    quotes = notes.pop("_quotes")
    if fmt == "json":
        return json.dumps(notes, indent=2, ensure_ascii=False) + "\n"
    est = "~" if notes["times_estimated"] else ""

    def at(seconds: float, link: str) -> str:
        stamp = f"{est}{clock(seconds)}"
        return f"[{stamp}]({link})" if link else stamp

    lines = [f"# {notes['title']}", ""]
    byline = " · ".join(x for x in (notes["show"], notes["date"]) if x)
    if byline:
        lines += [f"*{byline}*", ""]
    if notes["guest"]:
        guest = ", ".join(x for x in (notes["guest"], notes["organisation"]) if x)
        host = f", in conversation with {notes['host']}" if notes["host"] else ""
        lines += [f"**Guest:** {guest}{host}", ""]
    if notes["summary"]:
        lines += ["## In this episode", "", " ".join(s["text"] for s in notes["summary"]), ""]
        if notes["summary"][0].get("generated_by"):
            lines += [f"*Summary generated by {notes['summary'][0]['generated_by']}, each sentence checked against the transcript.*", ""]
    if notes.get("summary_note"):
        lines += [f"*({notes['summary_note']})*", ""]
    if notes["chapters"]:
        lines += ["## Chapters", ""] + [f"- {at(c['start'], c['link'])} {c['title']}" for c in notes["chapters"]] + [""]
    if notes["tactics"]:
        lines += ["## Key tactics", ""]
        lines += [f"- **{t['name']}** — first at {at(t['start'], t['link'])}" for t in notes["tactics"]] + [""]
    if quotes:
        lines += ["## Pull quotes", ""] + [markdown_quote(q) for q in quotes]
    if notes["url"]:
        lines += [f"Listen: {notes['url']}", ""]
    if notes["times_estimated"]:
        lines += ["*Times marked ~ are estimated from word counts (the source had no timestamps).*", ""]
    return "\n".join(lines).rstrip() + "\n"
