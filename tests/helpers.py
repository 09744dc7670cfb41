"""Helpers shared by test modules: free ports, subprocesses whose output is shown when they fail, an HTTP origin."""

from __future__ import annotations

import email.utils
import http.server
import re
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(text: str | bytes | None, lines: int = 40) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join((text or "").splitlines()[-lines:])


def run_checked(cmd: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run that, on a non-zero exit, fails with the tail of the command's own output."""
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{what} exited {done.returncode}\n--- stdout ---\n{tail(done.stdout)}"
                           f"\n--- stderr ---\n{tail(done.stderr)}")
    return done


class LoggedProcess:
    """A background server whose stdout+stderr go to a log file, so a failed start can show why."""

    def __init__(self, cmd: list[str], what: str, **kwargs):
        self.what = what
        self.log = Path(tempfile.mkstemp(prefix="cxinsight-test-", suffix=".log")[1])
        self._log_handle = self.log.open("wb")
        self.process = subprocess.Popen(cmd, stdout=self._log_handle, stderr=subprocess.STDOUT, **kwargs)

    def output_tail(self, lines: int = 40) -> str:
        return tail(self.log.read_bytes() if self.log.exists() else b"", lines)

    def fail(self, why: str) -> None:
        raise RuntimeError(f"{self.what} {why}\n--- its output ---\n{self.output_tail()}")

    def wait_for_http(self, url: str, timeout: float) -> None:
        """Poll `url` until the server answers (any HTTP status counts as up)."""
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                if self.process.poll() is not None:
                    self.fail(f"exited {self.process.returncode} before answering")
                if time.time() > deadline:
                    self.fail(f"did not answer at {url} within {timeout:.0f} s")
                time.sleep(0.3)

    def stop(self, kill: bool = True) -> None:
        if self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
            self.process.wait()
        self._log_handle.close()
        self.log.unlink(missing_ok=True)


def follow_until(process: subprocess.Popen, text: str, timeout: float = 300) -> tuple[list[str], threading.Thread]:
    """Collect the process's stderr lines in the background; return once a line contains `text`."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
    reader.start()
    deadline = time.time() + timeout
    while not any(text in line for line in lines):
        assert time.time() < deadline and process.poll() is None, lines
        time.sleep(0.1)
    return lines, reader


def wait_until_stopped(process: subprocess.Popen, timeout: float = 300) -> None:
    """Until the process is frozen by SIGSTOP (state T in /proc), failing if it exits first."""
    deadline = time.time() + timeout
    while Path(f"/proc/{process.pid}/stat").read_text().split(") ", 1)[1][0] != "T":
        assert process.poll() is None and time.time() < deadline, process.communicate(timeout=10)
        time.sleep(0.1)


class Origin:
    """One file served with ETag or Last-Modified, Range and If-Range (RFC 9110 §13.1.5); can break an answer."""

    def __init__(self, body: bytes, validator: str = "etag", name: str = "episode.mp3", cut_at: int = 0):
        self.validator = validator  # "etag" or "last-modified"
        self.cut_at = cut_at  # bytes an answer delivers before its connection breaks (once `cut_next` is set)
        self.requests: list[dict] = []  # the Range and If-Range each request carried, and what it was answered
        self.cut_next = False
        self.publish(body, version=1)
        origin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                origin.answer(self)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/{name}"

    def publish(self, body: bytes, version: int) -> None:
        """A new version of the file: new bytes and a new ETag (or a Last-Modified a day later)."""
        self.body = body
        self.tag = {"etag": f'"v{version}"',
                    "last-modified": email.utils.formatdate(time.time() - 86400 * (10 - version), usegmt=True)}[self.validator]

    def answer(self, handler) -> None:
        wanted, condition = handler.headers.get("Range"), handler.headers.get("If-Range")
        start = int(wanted.split("=")[1].split("-")[0]) if wanted else 0
        partial = wanted is not None and (condition is None or condition == self.tag)  # If-Range: else the whole file
        status = 416 if partial and start >= len(self.body) else 206 if partial else 200
        self.requests.append({"range": wanted, "if_range": condition, "status": status})
        handler.send_response(status)
        handler.send_header(self.validator.title(), self.tag)
        if status == 416:
            handler.send_header("Content-Range", f"bytes */{len(self.body)}")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        sent = self.body[start:] if partial else self.body
        if partial:
            handler.send_header("Content-Range", f"bytes {start}-{len(self.body) - 1}/{len(self.body)}")
        handler.send_header("Content-Length", str(len(sent)))
        handler.end_headers()
        if self.cut_next:  # the connection breaks mid-body, as a dropped Wi-Fi or a killed proxy would
            self.cut_next = False
            handler.wfile.write(sent[:self.cut_at])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        handler.wfile.write(sent)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()



# --------------------------------------------------------------------------- real speech and stored episodes
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")


def librivox_clips() -> dict[Path, str]:
    """Real human speech with reference transcripts (Debian pocketsphinx-testdata); skips when absent."""
    if not (LIBRIVOX / "transcription").is_file():
        pytest.skip("pocketsphinx-testdata is missing (run `make install`, which installs the apt package)")
    clips = {}
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        match = re.match(r"<s> (.*) </s> \((.*)\)", line)
        clips[LIBRIVOX / f"{match.group(2)}.wav"] = match.group(1)
    return clips


def first_librivox_clip() -> Path:
    return next(iter(librivox_clips()))


def text_of(transcript) -> str:
    return " ".join(s.text for s in transcript.segments)


def transcript_sentences(store) -> dict[str, list]:
    """Every stored episode, read back through the archive."""
    from cxinsight.embed import MODEL_NAME
    from cxinsight.store.archive import Archive

    archive = Archive(store, MODEL_NAME)
    episodes = {eid: archive.load_episode(eid)[0] for eid in archive.records()}
    archive.close()
    return episodes


def assert_verbatim(quote, episode):
    """A quote must be consecutive stored sentences of the episode, copied exactly."""
    joined = " ".join(s.text for s in episode.sentences)
    assert quote in joined, quote


# --------------------------------------------------------------------------- real human voices for diarization
ALLISON = Path("/usr/share/asterisk/sounds/en_US_f_Allison")  # Debian asterisk-core-sounds-en-wav (CC BY-SA)
CMU_CLIPS = [LIBRIVOX.parent / name for name in ("goforward.raw", "numbers.raw", "something.raw", "tidigits/dhd.2934z.raw")]


def real_voices() -> dict[str, list]:
    """Three real human voices as 16 kHz clips: a LibriVox reader, Allison Smith's prompts, a CMU speaker."""
    import numpy as np

    from cxinsight.transcribe.audio import load_audio

    if not ALLISON.is_dir():
        pytest.skip("asterisk-core-sounds-en-wav is missing (run `make install`, which installs the apt package)")
    allison = []
    for path in sorted(ALLISON.glob("*.wav")):
        samples = load_audio(path)
        if 4 <= len(samples) / 16000 <= 12:
            allison.append(samples)
        if len(allison) == 5:
            break
    return {
        "reader": [load_audio(path) for path in librivox_clips()],
        "allison": allison,
        "cmu": [np.fromfile(path, dtype="<i2").astype(np.float32) / 32768 for path in CMU_CLIPS],
    }


def voice_composite(path: Path, names: list[str], pause: float = 0.6) -> list[tuple[str, float, float]]:
    """Turns taken in rotation from the named voices, written to `path`; returns (voice, start, end) per turn."""
    import numpy as np

    from cxinsight.transcribe.encode import write_audio

    clips = {name: list(real_voices()[name]) for name in names}
    pieces, turns, at = [], [], 0.0
    while any(clips.values()):
        for name in names:
            if clips[name]:
                speech = clips[name].pop(0)
                turns.append((name, at, at + len(speech) / 16000))
                pieces += [speech, np.zeros(int(pause * 16000), np.float32)]
                at += len(speech) / 16000 + pause
    write_audio(path, np.concatenate(pieces), 16000)
    return turns


def one_feature(kind, feature: str, weight: float, bias: float, threshold: float = 0.5):
    """A StandardisedRegression of `kind` (reader, judge, second reader) that weighs one named feature only,
    on unscaled rows: its probability is sigmoid(weight x feature + bias)."""
    import numpy as np

    weights = np.zeros(len(kind.FEATURES))
    weights[kind.FEATURES.index(feature)] = weight
    return kind(np.zeros(len(kind.FEATURES)), np.ones(len(kind.FEATURES)), weights, bias, threshold)


def sentence_facts(n: int, tactics: int, **fields):
    """SentenceFacts for `n` plain sentences over `tactics` tactics (long enough, 12 words, unlabelled, no alias, no
    question, no host line); `fields` replaces any of them."""
    import numpy as np

    from cxinsight.extract.discussion import SentenceFacts

    plain = {"long_enough": np.ones(n, bool), "named": np.zeros((n, tactics), bool), "speakers": np.array([""] * n, dtype=object),
             "question": np.zeros(n, bool), "host": np.zeros(n, bool), "words": np.full(n, 12)}
    return SentenceFacts(**{**plain, **{k: v for k, v in fields.items() if v is not None}})
