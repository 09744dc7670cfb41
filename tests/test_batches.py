"""Producers' batches: manifests, feeds served over real HTTP, kill -9 and resume, parallel workers, status."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT
from tests.helpers import Origin, librivox_clips
from tests.media import write_media
from tests.storecheck import assert_consistent


def outcomes(result) -> dict[str, dict]:
    return {o["path"]: o for o in json.loads(result.stdout)["outcomes"]}


def copy_episode(name: str, folder: Path, new_name: str | None = None) -> Path:
    source = next(CORPUS.glob(f"{name}.*[!l]"))  # the transcript, not the .yaml
    target = folder / ((new_name or name) + source.suffix)
    shutil.copy(source, target)
    return target


@pytest.fixture
def http_root(tmp_path):
    """A real HTTP server on 127.0.0.1 serving a temporary folder."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_manifest_csv_and_yaml(tmp_path, cli_run):
    folder = tmp_path / "show"
    folder.mkdir()
    copy_episode("01-brightwater-cleanup", folder, "ep-a")
    copy_episode("01-brightwater-cleanup", folder, "ep-a-copy")  # the same content under a second name
    copy_episode("03-skylark-disruption", folder, "ep-b")
    (folder / "season.csv").write_text(
        "path,title,guest,organisation,date,url\n"
        "ep-a.txt,Clearing the Decks,Marisol Okafor-Lind,Brightwater Utilities,2024-02-13,https://x.test/a\n"
        "ep-a-copy.txt,Same Again,,,,\n"
        "missing.mp3,Lost Episode,,,,\n")
    (folder / "extra.yaml").write_text("- path: ep-b.vtt\n  title: Skylark Special\n  show: Bonus\n  date: March 3rd, 2024\n")
    result = cli_run("ingest", "--manifest", str(folder / "season.csv"), "--manifest", str(folder / "extra.yaml"), "--json")
    assert result.exit_code == 1
    got = {o["path"].split(" (")[0]: o for o in json.loads(result.stdout)["outcomes"]}
    assert got["season.csv row 2"]["status"] == "indexed"
    assert got["season.csv row 3"]["status"] == "skipped" and "same content as episode 'ep-a'" in got["season.csv row 3"]["detail"]
    assert got["season.csv row 4"]["status"] == "failed" and "no such file 'missing.mp3'" in got["season.csv row 4"]["detail"]
    assert got["extra.yaml row 1"]["status"] == "indexed"
    episodes = {e["episode_id"]: e for e in json.loads(cli_run("episodes", "--json").stdout)["episodes"]}
    assert episodes["ep-a"]["title"] == "Clearing the Decks" and episodes["ep-a"]["url"] == "https://x.test/a"
    assert episodes["ep-b"]["title"] == "Skylark Special" and episodes["ep-b"]["show"] == "Bonus"
    assert (episodes["ep-a"]["date"], episodes["ep-b"]["date"]) == ("2024-02-13", "2024-03-03")  # one sortable form


FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>Service Signals</title>
<item><title>Austen Reading</title><guid>a1</guid><link>{base}/a1</link>
  <pubDate>Tue, 13 Feb 2024 10:00:00 GMT</pubDate>
  <enclosure url="{base}/clip.mp3" type="audio/mpeg" length="1"/></item>
<item><title>Harbourline (with transcript)</title><guid>a2</guid>
  <enclosure url="{base}/never-fetched.mp3" type="audio/mpeg" length="1"/>
  <podcast:transcript url="{base}/harbourline.vtt" type="text/vtt"/></item>
<item><title>Text only</title><guid>a3</guid><description>No media here.</description></item>
<item><title>Gone</title><guid>a4</guid><enclosure url="{base}/gone.mp3" type="audio/mpeg" length="1"/></item>
<item><title>Too big</title><guid>a5</guid><enclosure url="{base}/big.wav" type="audio/wav" length="1"/></item>
<item><title>Sneaky ../../etc/passwd</title><guid>a6</guid><enclosure url="file:///etc/passwd" type="audio/mpeg"/></item>
</channel></rss>"""


def test_a_feed_file_on_disk_names_files_beside_it(tmp_path, cli_run, isolated_store):
    """A producer's feed before it is published: relative and file: URLs in its folder are read in place."""
    show = tmp_path / "show"
    (show / "transcripts").mkdir(parents=True)
    shutil.copy(next(CORPUS.glob("02-harbourline-claims.srt")), show / "transcripts" / "harbourline.srt")
    absolute = copy_episode("03-skylark-disruption", show)
    outside = copy_episode("05-ferncastle-branches", tmp_path)
    (show / "feed.xml").write_text(f"""<?xml version="1.0"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Draft Show</title>
<item><title>Harbourline</title><podcast:transcript url="transcripts/harbourline.srt" type="application/x-subrip"/></item>
<item><title>Skylark</title><podcast:transcript url="{absolute.as_uri()}" type="text/vtt"/></item>
<item><title>Missing</title><podcast:transcript url="transcripts/nowhere.vtt" type="text/vtt"/></item>
<item><title>Outside</title><podcast:transcript url="{outside.as_uri()}" type="application/x-subrip"/></item>
<item><title>Climbing</title><podcast:transcript url="../{outside.name}" type="application/x-subrip"/></item>
</channel></rss>""")
    result = cli_run("ingest", "--feed", str(show / "feed.xml"), "--json")
    got = {o["path"]: o for o in json.loads(result.stdout)["outcomes"]}
    assert result.exit_code == 1
    assert got["feed item 'Harbourline'"]["status"] == got["feed item 'Skylark'"]["status"] == "indexed"
    assert "nowhere.vtt: no such file" in got["feed item 'Missing'"]["detail"]
    for title in ("Outside", "Climbing"):  # a saved web feed must not pull in the machine's other files
        assert "only http and https downloads are allowed" in got[f"feed item '{title}'"]["detail"]
    episodes = {e["episode_id"]: e for e in json.loads(cli_run("episodes", "--json").stdout)["episodes"]}
    assert episodes["harbourline"]["show"] == "Draft Show"
    assert Path(episodes["skylark"]["source_path"]) == absolute
    assert not (isolated_store / "media").exists() or not any((isolated_store / "media").iterdir())  # nothing copied


def test_feed_over_http(http_root, cli_run, isolated_store):
    root, base = http_root
    write_media(root / "clip.mp3", __import__("cxinsight.transcribe.audio", fromlist=["load_audio"]).load_audio(
        next(iter(librivox_clips()))))
    shutil.copy(next(CORPUS.glob("02-harbourline-claims.srt")), root / "harbourline.srt")
    from cxinsight.sources import read_transcript
    from cxinsight.text.formats import to_vtt

    (root / "harbourline.vtt").write_text(to_vtt(read_transcript(root / "harbourline.srt")))
    (root / "big.wav").write_bytes(b"\0" * (2 * 1024 * 1024 + 10))
    (root / "feed.xml").write_text(FEED.format(base=base))
    (root / "notxml.xml").write_text("this is not a feed at all {")

    result = cli_run("ingest", "--feed", f"{base}/feed.xml", "--feed", f"{base}/notxml.xml", "--max-download-mb", "1", "--json")
    assert result.exit_code == 1
    got = {o["path"]: o for o in json.loads(result.stdout)["outcomes"]}
    assert got["feed item 'Austen Reading'"]["status"] == "indexed"
    assert got["feed item 'Harbourline (with transcript)'"]["status"] == "indexed"
    assert "no enclosure" in got["feed item 'Text only'"]["detail"]
    assert "HTTP 404" in got["feed item 'Gone'"]["detail"]
    assert "too large" in got["feed item 'Too big'"]["detail"]
    assert "only http and https" in got["feed item 'Sneaky ../../etc/passwd'"]["detail"]
    assert "not an RSS or Atom feed" in got[f"{base}/notxml.xml"]["detail"]
    episodes = {e["episode_id"]: e for e in json.loads(cli_run("episodes", "--json").stdout)["episodes"]}
    assert episodes["austen-reading"]["show"] == "Service Signals" and episodes["austen-reading"]["date"] == "2024-02-13"
    assert episodes["harbourline-with-transcript"]["source_path"].endswith(".vtt")  # transcript used, audio not fetched
    media = sorted(p.name for p in (isolated_store / "media").iterdir())
    assert media == ["austen-reading.mp3", "harbourline-with-transcript.vtt"]  # nothing else written, nothing outside


def test_sigkill_mid_batch_then_resume(tmp_path, isolated_store, cli_run):
    folder = tmp_path / "batch"
    shutil.copytree(CORPUS, folder)
    env = {**os.environ, "CXINSIGHT_STORE": str(isolated_store)}
    process = subprocess.Popen([sys.executable, "-m", "cxinsight", "ingest", str(folder)], env=env,
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    deadline = time.time() + 300
    for line in process.stderr:  # plain progress lines when not a terminal
        if "] indexed" in line and line.startswith("[2/"):
            os.kill(process.pid, signal.SIGKILL)  # mid-batch: two committed, the third in flight
            break
        assert time.time() < deadline
    process.wait()
    assert process.returncode == -signal.SIGKILL
    status = json.loads(cli_run("status", "--json").stdout)
    counts = {s: sum(1 for i in status["items"] if i["status"] == s) for s in ("indexed", "pending")}
    assert counts["indexed"] >= 2 and counts["pending"] >= 1 and status["finished"] is None
    assert_consistent(isolated_store, counts["indexed"])

    result = cli_run("ingest", str(folder), "--json")
    assert result.exit_code == 0
    statuses = [o["status"] for o in json.loads(result.stdout)["outcomes"]]
    assert statuses.count("skipped") == counts["indexed"] and statuses.count("indexed") == 8 - counts["indexed"]
    assert_consistent(isolated_store, 8)
    assert "8 done" in cli_run("status").stdout


def test_workers_give_the_same_archive(tmp_path, cli_run, monkeypatch):
    folder = tmp_path / "four"
    folder.mkdir()
    for name in ("01-brightwater-cleanup", "02-harbourline-claims", "04-northpine-advisory-board", "06-meridian-ward-rounds"):
        copy_episode(name, folder)
    summaries = []
    for workers in ("1", "2"):
        monkeypatch.setenv("CXINSIGHT_STORE", str(tmp_path / f"store-{workers}"))
        assert cli_run("ingest", str(folder), "--workers", workers).exit_code == 0
        summaries.append({e["episode_id"]: (e["sentences"], e["mentions"], e["tactics"])
                          for e in json.loads(cli_run("episodes", "--json").stdout)["episodes"]})
    assert summaries[0] == summaries[1] and len(summaries[0]) == 4


def test_a_download_that_changed_between_runs_is_indexed_whole_with_a_warning(tmp_path, cli_run, isolated_store):
    """Run 1 loses the connection mid-download; the file changes; run 2 indexes the new file and says so."""
    first, second = (CORPUS / "02-harbourline-claims.srt").read_bytes(), (CORPUS / "05-ferncastle-branches.srt").read_bytes()
    origin = Origin(first, name="episode.srt", cut_at=len(first) // 2)
    try:
        (tmp_path / "season.csv").write_text(f"path,title\n{origin.url},Changed Between Runs\n")
        origin.cut_next = True
        broken = cli_run("ingest", "--manifest", str(tmp_path / "season.csv"), "--json")
        assert broken.exit_code == 1 and "download failed" in json.loads(broken.stdout)["outcomes"][0]["detail"]
        origin.publish(second, version=2)
        result = cli_run("ingest", "--manifest", str(tmp_path / "season.csv"), "--json")
    finally:
        origin.close()
    assert result.exit_code == 0, result.output
    [outcome] = json.loads(result.stdout)["outcomes"]
    assert outcome["status"] == "indexed"
    assert "episode.srt: the file changed on the server since the download stopped; downloaded again" in outcome["detail"]
    assert [r["status"] for r in origin.requests] == [200, 200] and origin.requests[1]["if_range"] == '"v1"'
    [media] = (isolated_store / "media").iterdir()
    assert media.read_bytes() == second  # the second version whole, not half of each


REAL_HTML = ROOT / "tests" / "fixtures" / "real" / "other" / "podcastns-example.html"
MULTI_FEED = """<?xml version="1.0"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>Service Signals</title><language>en-us</language>
<item><title>Several transcripts</title>
  <podcast:transcript url="captions-es.vtt" type="text/vtt" language="es" rel="captions"/>
  <podcast:transcript url="harbourline.txt" type="text/plain"/>
  <podcast:transcript url="harbourline.vtt" type="text/vtt"/>
</item>
<item><title>Dead transcript link</title>
  <podcast:transcript url="missing.json" type="application/json"/>
  <podcast:transcript url="skylark.srt" type="application/x-subrip"/>
</item>
<item><title>HTML only</title>
  <podcast:transcript url="travis.html" type="text/html"/>
</item>
</channel></rss>
"""


def test_feed_chooses_transcripts_by_language_and_type_and_falls_back(http_root, cli_run, isolated_store):
    """Relative URLs, every <podcast:transcript>, English VTT over text and Spanish captions, a 404 falls back."""
    root, base = http_root
    from cxinsight.sources import read_transcript
    from cxinsight.text.formats import to_vtt

    shutil.copy(CORPUS / "02-harbourline-claims.srt", root / "harbourline.srt")
    (root / "harbourline.vtt").write_text(to_vtt(read_transcript(root / "harbourline.srt")))
    (root / "harbourline.txt").write_text("Host: the wrong, plainer copy of this episode.\n")
    (root / "captions-es.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHola a todos.\n")
    shutil.copy(CORPUS / "03-skylark-disruption.vtt", root / "skylark.vtt")
    (root / "skylark.srt").write_text(__import__("cxinsight.text.formats", fromlist=["to_srt"]).to_srt(
        read_transcript(root / "skylark.vtt")))
    shutil.copy(REAL_HTML, root / "travis.html")
    (root / "feed.xml").write_text(MULTI_FEED)

    result = cli_run("ingest", "--feed", f"{base}/feed.xml", "--json")
    assert result.exit_code == 0, result.output
    got = {o["episode_id"]: o for o in json.loads(result.stdout)["outcomes"]}
    assert all(o["status"] == "indexed" for o in got.values()), got
    assert "missing.json failed (" in got["dead-transcript-link"]["detail"] and "HTTP 404" in got["dead-transcript-link"]["detail"]
    episodes = {e["episode_id"]: e for e in json.loads(cli_run("episodes", "--json").stdout)["episodes"]}
    assert episodes["several-transcripts"]["source_path"].endswith(".vtt") and episodes["several-transcripts"]["sentences"] > 20
    assert episodes["dead-transcript-link"]["source_path"].endswith(".srt")
    quotes = json.loads(cli_run("search", "building a podcast intro", "--episode", "html-only", "--json").stdout)["results"]
    assert quotes and quotes[0]["speaker"] in {"Travis", "Sarah", "Gilon"}
