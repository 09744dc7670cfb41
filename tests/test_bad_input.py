"""The bad-input matrix: every command, every kind of bad input.

Each case must give exactly one `Error:` line naming the thing and the cause, the documented
exit code (1: an input failed, the rest done; 2: usage error or unusable store), no traceback,
and leave the store exactly as it was (compared with a snapshot read by chromadb/sqlite directly).
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import CORPUS
from tests.media import write_media
from tests.storecheck import snapshot

SRT = CORPUS / "02-harbourline-claims.srt"


def _write(name: str, data: str | bytes):
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path
    return make


def _with_sidecar(sidecar: str):
    def make(folder: Path) -> Path:
        shutil.copy(CORPUS / "04-northpine-advisory-board.txt", folder / "side.txt")
        (folder / "side.yaml").write_text(sidecar)
        return folder / "side.txt"
    return make


def _feed(enclosure: str, title: str = "Episode one"):
    return _write("feed.xml", f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Show</title>
<item><title>{title}</title><guid>g1</guid><enclosure url="{enclosure}" type="audio/mpeg" length="10"/></item>
</channel></rss>""")


def _mp3_of_text(folder: Path) -> Path:
    path = folder / "talk.mp3"
    path.write_text("this is plain text, not audio " * 50)
    return path


def _short_wav(folder: Path) -> Path:
    return write_media(folder / "tone.wav", (0.1 * np.sin(np.arange(16000) / 5)).astype(np.float32))


LONG_QUESTION = "why " * 25_000  # 100 KB

# id, arguments (callables get the input folder), exit code, pattern the one Error line must match
CASES = [
    ("empty-transcript", ["ingest", _write("empty.txt", "")], 1, r"empty\.txt: empty file"),
    ("binary-srt", ["ingest", _write("noise.srt", bytes(range(256)) * 20)], 1, r"noise\.srt: not UTF-8 text"),
    ("srt-bad-timestamps", ["ingest", _write("bad.srt", "1\n00:00:xx --> 00:00:05,000\nHello.\n")], 1,
     r"bad\.srt: malformed SRT near line 1"),
    ("vtt-without-header", ["ingest", _write("nohead.vtt", "00:00:01.000 --> 00:00:02.000\nHi\n")], 1,
     r"nohead\.vtt: malformed WebVTT"),
    ("json-broken", ["ingest", _write("broken.json", '{"segments": [')], 1, r"broken\.json: invalid JSON at line 1"),
    ("json-wrong-shape", ["ingest", _write("shape.json", '{"foo": 1}')], 1, r"shape\.json: JSON transcript needs a 'segments' list"),
    # Cyrillic saved as Windows-1251: not UTF-8, and read as Windows-1252 it would be nothing but accented letters.
    ("cp1251-transcript", ["ingest", _write("cyrillic.txt", "Привет, мы закрыли все жалобы.\n".encode("cp1251"))], 1,
     r"cyrillic\.txt: not UTF-8 text .*re-save it as UTF-8"),
    ("sidecar-broken-yaml", ["ingest", _with_sidecar("title: [unclosed\n")], 1, r"side\.yaml: invalid YAML metadata"),
    ("sidecar-unsafe-yaml", ["ingest", _with_sidecar('title: !!python/object/apply:os.system ["touch PWNED"]\n')], 1,
     r"side\.yaml: invalid YAML metadata .*constructor"),
    ("unsupported-type", ["ingest", _write("notes.pdf", "hello")], 1, r"notes\.pdf: unsupported file type '\.pdf'"),
    ("text-named-docx", ["ingest", _write("notes.docx", "hello")], 1, r"notes\.docx: not a readable Word document"),
    ("missing-path", ["ingest", "nowhere/episode.txt"], 1, r"nowhere/episode\.txt: no such file"),
    ("zero-byte-audio", ["ingest", _write("silent.mp3", b"")], 1, r"silent\.mp3: empty file \(0 bytes\)"),
    ("text-named-mp3", ["ingest", _mp3_of_text], 1, r"talk\.mp3: not a readable audio or video file"),
    ("manifest-missing-file", ["ingest", "--manifest", _write("season.csv", "path,title\nmissing.mp3,Gone\n")], 1,
     r"season\.csv row 2: no such file 'missing\.mp3'"),
    ("manifest-not-a-list", ["ingest", "--manifest", _write("season.yaml", "just a string\n")], 1, r"season\.yaml: "),
    ("feed-not-xml", ["ingest", "--feed", _write("feed.xml", "this is not a feed")], 1, r"feed\.xml: not an RSS or Atom feed"),
    ("feed-file-enclosure", ["ingest", "--feed", _feed("file:///etc/passwd", "Sneaky ../../etc/passwd")], 1,
     r"file:///etc/passwd: only http and https downloads are allowed"),
    ("workers-negative", ["ingest", "--workers", "-1", "x.txt"], 2, r"Invalid value for '--workers'"),
    ("llm-spec-unknown", ["ingest", "--llm", "gpt5", _write("x.txt", "Host: hello there.")], 2, r"gpt5"),
    ("whisper-model-unknown", ["ingest", "--model", "giant", _short_wav], 2, r"giant"),
    ("search-k-zero", ["search", "backlog", "-k", "0"], 2, r"Invalid value for '-k': 0"),
    ("search-k-huge", ["search", "backlog", "-k", "100000"], 2, r"Invalid value for '-k': 100000"),
    ("ask-100kb-question", ["ask", LONG_QUESTION], 2, r"the question is \d{5,} characters long; keep it under 2000"),
    ("ask-empty-question", ["ask", "   "], 2, r"the question is empty"),
    ("ask-unknown-tactic", ["ask", "backlog", "--tactic", "cleanup-and-catchup"], 2,
     r"unknown tactic 'cleanup-and-catchup'; did you mean cleanup-and-catch-up"),
    ("search-unknown-episode", ["search", "backlog", "--episode", "99-nothing"], 2, r"unknown episode '99-nothing'"),
    ("shownotes-unknown-episode", ["shownotes", "02-harbourline"], 2, r"unknown episode '02-harbourline'; did you mean"),
    ("quotes-unknown-episode", ["quotes", "--episode", "nope"], 2, r"unknown episode 'nope'"),
    ("export-unknown-episode", ["export", "nope", "-f", "srt"], 2, r"unknown episode 'nope'"),
    ("tactics-unknown-episode", ["tactics", "--episode", "nope"], 2, r"unknown episode 'nope'"),
    ("eval-missing-gold", ["eval", "--gold", "nothere.yaml"], 2, r"nothere\.yaml: no such gold file"),
    ("eval-gold-not-in-store", ["eval", "--gold", _write("gold.yaml", "episodes:\n  99-nothing: []\n")], 2,
     r"gold\.yaml: none of its 1 episodes is in this store; ingest them first"),
    ("taxonomy-broken", ["--taxonomy", _write("tax.yaml", "tactics: 3\n"), "ask", "backlog"], 2, r"tax\.yaml: "),
    ("transcribe-folder", ["transcribe", "."], 1, r"\.: is a folder"),
    ("transcribe-missing", ["transcribe", "nothere.mp3"], 1, r"nothere\.mp3: no such file"),
]

STORE_CASES = [  # (id, how the store is broken, command, exit, pattern)
    ("no-store-search", "missing", ["search", "backlog"], 2, r"no cxinsight store here yet; run `cxinsight ingest"),
    ("no-store-quotes", "missing", ["quotes"], 2, r"no cxinsight store here yet"),
    ("store-is-a-file", "file", ["ingest", str(SRT)], 2, r"is a file, not a cxinsight store folder"),
    ("newer-schema-search", "newer", ["search", "backlog"], 2, r"store schema 99 is newer than this cxinsight understands"),
    ("newer-schema-ingest", "newer", ["ingest", str(SRT)], 2, r"store schema 99 is newer"),
    ("newer-schema-doctor", "newer", ["doctor"], 2, r"store schema 99 is newer"),
    ("damaged-store-json", "damaged", ["ask", "backlog"], 2, r"store\.json: damaged store description"),
]


@pytest.fixture(scope="module")
def base_store(tmp_path_factory) -> Path:
    from cxinsight.ingest.batch import ingest
    from cxinsight.settings import load_settings

    store = tmp_path_factory.mktemp("base") / "store"
    report = ingest([SRT, CORPUS / "03-skylark-disruption.vtt"], load_settings(store=store))
    assert report.count("indexed") == 2
    return store


def _one_error_line(result, pattern: str) -> None:
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert re.search(pattern, errors[0]), errors[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input(case, tmp_path, base_store, cli_run):
    name, args, code, pattern = case
    store = tmp_path / "store"
    shutil.copytree(base_store, store)
    folder = tmp_path / "in"
    folder.mkdir()
    os.chdir(folder)
    argv = [str(a(folder)) if callable(a) else a for a in args]
    before = snapshot(store)
    result = cli_run("--store", str(store), *argv)
    assert result.exit_code == code, result.output
    _one_error_line(result, pattern)
    assert snapshot(store) == before
    assert not (folder / "PWNED").exists()


@pytest.mark.parametrize("case", STORE_CASES, ids=[c[0] for c in STORE_CASES])
def test_unusable_store(case, tmp_path, base_store, cli_run):
    name, how, args, code, pattern = case
    store = tmp_path / "store"
    if how == "file":
        store.write_text("not a store")
    elif how in ("newer", "damaged"):
        shutil.copytree(base_store, store)
        info = json.loads((store / "store.json").read_text())
        (store / "store.json").write_text(json.dumps({**info, "schema_version": 99}) if how == "newer" else "{trunc")
    before = snapshot(store)
    result = cli_run("--store", str(store), *args)
    assert result.exit_code == code, result.output
    _one_error_line(result, pattern)
    assert snapshot(store) == before


def test_verbose_shows_the_traceback(tmp_path, cli_run):
    from click.testing import CliRunner

    from cxinsight.cli import cli

    result = CliRunner().invoke(cli, ["--verbose", "--store", str(tmp_path / "none"), "search", "x"], obj={})
    assert result.exit_code != 0 and result.exception is not None  # raised, so click shows the traceback


def test_read_only_store_is_one_clear_line(tmp_path, base_store):
    """A read-only store (a root user ignores file modes, so mount it read-only in a private namespace)."""
    store = tmp_path / "store"
    shutil.copytree(base_store, store)
    before = snapshot(store)
    cli = f"{sys.executable} -m cxinsight --store {store}"
    commands = f"{cli} ingest {CORPUS / '04-northpine-advisory-board.txt'}; echo rc=$?; {cli} search backlog; echo rc=$?"
    if os.geteuid() == 0:
        script = f"mount --bind {store} {store} && mount -o remount,bind,ro {store} && {{ {commands}; }}"
        argv = ["unshare", "-m", "sh", "-c", script]
    else:
        subprocess.run(["chmod", "-R", "a-w", str(store)], check=True)
        argv = ["sh", "-c", commands]
    got = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "u+w", str(store)], check=True)
    if "unshare failed" in got.stderr or "mount:" in got.stderr:
        pytest.skip(f"cannot make a read-only mount here: {got.stderr.strip()}")
    assert got.stdout.count("rc=2") == 2, got.stdout + got.stderr
    errors = [line for line in got.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2 and all("cannot write to the store" in e or "read-only" in e for e in errors), got.stderr
    assert "Traceback" not in got.stderr
    assert snapshot(store) == before


class _Trickle(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("ETag", '"slow-1"')  # a version to resume against (If-Range)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        for _ in range(100):  # 1 KB every 0.1 s
            self.wfile.write(b"x" * 1000)
            self.wfile.flush()
            time.sleep(0.1)


def test_slow_download_is_capped_in_time(tmp_path, base_store, cli_run):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        store = tmp_path / "store"
        shutil.copytree(base_store, store)
        feed = _feed(f"http://127.0.0.1:{server.server_port}/slow.mp3")(tmp_path)
        before = snapshot(store)
        started = time.time()
        result = cli_run("--store", str(store), "ingest", "--feed", str(feed), "--max-download-minutes", "0.02")
        assert result.exit_code == 1 and time.time() - started < 8
        _one_error_line(result, r"slow\.mp3: download took over .*re-run to resume")
        assert snapshot(store) == {**before, "files": sorted(before["files"] + ["media"]),
                                   "media": ["episode-one.mp3.part", "episode-one.mp3.part.meta"]}
    finally:
        server.shutdown()


def test_spaces_and_non_ascii_names_are_fine(tmp_path, cli_run):
    folder = tmp_path / "my shows" / "Épisode spécial"
    folder.mkdir(parents=True)
    for name in ("Café com Clientes — parte 1.srt", "顧客体験.srt", "顧客体験 第二回.srt"):
        shutil.copy(SRT, folder / name)
        (folder / name).write_text(SRT.read_text(encoding="utf-8") + f"\n\n999\n00:09:00,000 --> 00:09:02,000\n{name}\n", encoding="utf-8")
    result = cli_run("ingest", str(folder), "--json")
    assert result.exit_code == 0, result.output
    ids = [o["episode_id"] for o in json.loads(result.stdout)["outcomes"]]
    assert len(set(ids)) == 3 and "cafe-com-clientes-parte-1" in ids  # CJK-only names still get distinct ids
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)


def test_a_file_is_never_skipped_as_the_twin_of_one_that_failed(tmp_path):
    """Two empty files each fail as empty (the second had been "skipped: same content as 'empty'", though
    nothing was indexed), and the same bytes that fail as SubRip are still read as a text transcript."""
    from cxinsight.ingest.batch import ingest
    from cxinsight.settings import load_settings

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "zero.srt").write_bytes(b"")
    talk = b"Dana Wu: We cleared the complaints backlog before we built anything new.\n"
    (folder / "a-talk.srt").write_bytes(talk)  # not SubRip: fails
    (folder / "b-talk.txt").write_bytes(talk)  # the same bytes as text: indexed
    report = ingest([folder], load_settings(store=tmp_path / "store"))
    got = {Path(o.path).name: (o.status, o.detail) for o in report.outcomes}
    assert got["empty.txt"][0] == got["zero.srt"][0] == "failed"
    assert "empty file" in got["zero.srt"][1]
    assert got["a-talk.srt"][0] == "failed" and got["b-talk.txt"][0] == "indexed"
