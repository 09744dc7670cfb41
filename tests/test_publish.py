"""Clips of quotes and the Podcasting 2.0 files, from a real ingested audio episode.

The episode is the start of sample interview 01 spoken by festival (host and guest in two
voices, names from its sidecar), transcribed and diarized for real; a transcript-only
episode sits beside it for the bad-input paths.
"""

from __future__ import annotations

import json
import re
import threading
import xml.etree.ElementTree as ET
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import ROOT, copied_store

EPISODE = "brightwater-start"


@pytest.fixture(scope="module")
def store(tmp_path_factory, audio_and_text_store) -> Path:
    return copied_store(audio_and_text_store, tmp_path_factory.mktemp("publish"))


@pytest.fixture
def cx(store, cli_run):
    return partial(cli_run, "--store", str(store))


def _decoded(path: Path) -> tuple[float, dict]:
    import av

    with av.open(str(path)) as f:
        stream = f.streams.audio[0]
        samples = sum(frame.samples for frame in f.decode(stream))
        tags = {k.lower(): v for k, v in {**dict(f.metadata), **dict(stream.metadata)}.items()}
        return samples / stream.codec_context.sample_rate, tags


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()


def test_a_clip_spans_the_quote_plus_pads_and_says_its_first_and_last_words(cx, tmp_path):
    from cxinsight.transcribe.engine import EngineOptions
    from cxinsight.transcribe.transcriber import Transcriber

    quote = json.loads(cx("quotes", "--episode", EPISODE, "-n", "1", "-f", "json").output)["quotes"][0]
    result = cx("clip", EPISODE, "--quote", "1", "-o", str(tmp_path / "q1.wav"), "--json")
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    seconds, tags = _decoded(tmp_path / "q1.wav")
    assert abs(seconds - (quote["end"] - quote["start"] + 2 * 0.25)) <= 0.05
    assert tags["artist"] == quote["speaker"] == "Marisol Okafor-Lind" and tags["comment"] == quote["text"] == made["text"]
    heard = _words(" ".join(s.text for s in Transcriber(EngineOptions()).transcribe(tmp_path / "q1.wav").transcript.segments))
    said = _words(quote["text"])
    assert heard[0] == said[0] and heard[-1] == said[-1], (heard, said)


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "ogg"])
def test_compressed_clips_keep_their_length(cx, tmp_path, fmt):
    result = cx("clip", EPISODE, "--start", "40", "--end", "52", "-f", fmt, "-o", str(tmp_path / "span"), "--json")
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert made["path"].endswith(f".{fmt}") and 39.0 <= made["start"] and made["end"] <= 53.0  # snapped to words
    seconds, tags = _decoded(Path(made["path"]))
    assert abs(seconds - (made["end"] - made["start"] + 0.5)) <= 0.05
    assert "Brightwater" in tags["title"] and set(tags["artist"].split(" & ")) == {"Hannah Kessler-Moyo", "Marisol Okafor-Lind"}


def test_quotes_with_clips_writes_one_clip_per_audio_quote(cx, tmp_path):
    result = cx("quotes", "-n", "4", "--clips", str(tmp_path / "clips"), "-f", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output[result.output.index("{"):result.output.rindex("}") + 1])["quotes"]
    audio = [i + 1 for i, q in enumerate(listed) if q["episode_id"] == EPISODE]
    assert sorted(p.name for p in (tmp_path / "clips").iterdir()) == [f"{EPISODE}-quote{n:02d}.mp3" for n in audio]


@pytest.mark.parametrize("args,message", [
    (["clip", EPISODE, "--quote", "999"], "no quote 999"),
    (["clip", EPISODE, "--start", "20", "--end", "10"], "must be before --end"),
    (["clip", EPISODE, "--start", "5000", "--end", "5010"], "past the end"),
    (["clip", "harbourline", "--quote", "1"], "transcript-only episode"),
    (["clip", "no-such-episode", "--quote", "1"], "unknown episode"),
])
def test_clip_bad_input_is_one_line_exit_2(cx, args, message):
    result = cx(*args)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output, result.output


def test_publish_writes_valid_podcasting_files(cx, store, tmp_path):
    import jsonschema

    from cxinsight.embed import MODEL_NAME
    from cxinsight.store.archive import Archive

    schemas = ROOT / "cxinsight" / "notes" / "schemas"
    result = cx("publish", EPISODE, "-o", str(tmp_path / "out"), "--base-url", "https://cdn.example.com/ep1/")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted(["chapters.json", "transcript.vtt", "transcript.srt",
                                                            "transcript.json", "soundbites.xml", "item-snippet.xml",
                                                            "shownotes.md"])
    chapters = json.loads((out / "chapters.json").read_text())
    jsonschema.validate(chapters, json.loads((schemas / "podcast-chapters.schema.json").read_text()))
    starts = [c["startTime"] for c in chapters["chapters"]]
    assert chapters["version"] == "1.2.0" and starts == sorted(starts) and starts[0] == 0.0
    # the clip's key tactic (its guest's first nine months) has a chapter: one of its own, or one that names it
    assert any("cleanup and catch-up" in c["title"].lower() for c in chapters["chapters"]), chapters
    transcript = json.loads((out / "transcript.json").read_text())
    jsonschema.validate(transcript, json.loads((schemas / "podcast-transcript.schema.json").read_text()))
    assert {s["speaker"] for s in transcript["segments"]} == {"Hannah Kessler-Moyo", "Marisol Okafor-Lind"}

    archive = Archive(store, MODEL_NAME)
    episode, _ = archive.load_episode(EPISODE)
    archive.close()
    sentence_starts = {round(s.start, 3) for s in episode.sentences}
    sentence_ends = {round(s.end, 3) for s in episode.sentences}
    ns = 'xmlns:podcast="https://podcastindex.org/namespace/1.0"'
    bites = ET.fromstring(f"<item {ns}>{(out / 'soundbites.xml').read_text()}</item>")
    assert 1 <= len(bites) <= 3
    for bite in bites:
        start, duration = float(bite.get("startTime")), float(bite.get("duration"))
        assert 15.0 <= duration <= 60.0 and bite.text
        assert round(start, 3) in sentence_starts and round(start + duration, 3) in sentence_ends  # whole sentences
    snippet = ET.fromstring(f"<item {ns}>{(out / 'item-snippet.xml').read_text()}</item>")
    links = {e.get("url"): e.get("type") for e in snippet if e.get("url")}
    assert links == {"https://cdn.example.com/ep1/transcript.vtt": "text/vtt",
                     "https://cdn.example.com/ep1/transcript.srt": "application/x-subrip",
                     "https://cdn.example.com/ep1/transcript.json": "application/json",
                     "https://cdn.example.com/ep1/chapters.json": "application/json+chapters"}
    people = {e.get("role"): e.text for e in snippet if e.tag.endswith("person")}
    assert people == {"host": "Hannah Kessler-Moyo", "guest": "Marisol Okafor-Lind"}

    from cxinsight.sources import read_transcript

    for name in ("transcript.json", "transcript.vtt", "transcript.srt"):  # each reads back to the same transcript
        back = read_transcript(out / name)
        assert [(s.speaker, s.text.strip()) for s in back.segments] == [
            (s.speaker, s.text.strip()) for s in episode.transcript.segments], name
        assert all(abs(a.start - b.start) <= 0.001 and abs(a.end - b.end) <= 0.001
                   for a, b in zip(back.segments, episode.transcript.segments)), name


def test_publish_all_and_bad_output(cx, tmp_path):
    result = cx("publish", "--all", "-o", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == [EPISODE, "harbourline"]
    (tmp_path / "taken").write_text("a file")
    bad = cx("publish", EPISODE, "-o", str(tmp_path / "taken"))
    assert bad.exit_code == 2 and "is a file, not a folder" in bad.output
    assert cx("publish", "-o", str(tmp_path / "x")).exit_code == 2  # neither an episode nor --all


def test_a_feed_linking_the_published_files_is_ingested_from_them(cx, store, tmp_path, cli_run):
    site = tmp_path / "site"
    assert cx("publish", EPISODE, "-o", str(site / "ep1"), "--base-url", "ep1").exit_code == 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    snippet = (site / "ep1" / "item-snippet.xml").read_text().replace('url="ep1/', f'url="{base}/ep1/')
    (site / "feed.xml").write_text(f'''<?xml version="1.0"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>The Loyalty Loop</title>
<item><title>Brightwater republished</title>{snippet}</item></channel></rss>''', encoding="utf-8")
    try:
        result = cli_run("--store", str(tmp_path / "other"), "ingest", "--feed", f"{base}/feed.xml", "--json")
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    listed = json.loads(cli_run("--store", str(tmp_path / "other"), "speakers", "brightwater-republished", "--json").output)
    assert [(s["name"], s["role"]) for s in listed["speakers"]] == [("Hannah Kessler-Moyo", "host"),
                                                                    ("Marisol Okafor-Lind", "guest")]
    episodes = json.loads(cli_run("--store", str(tmp_path / "other"), "episodes", "--json").output)["episodes"]
    assert len(episodes) == 1 and episodes[0]["episode_id"] == "brightwater-republished"
