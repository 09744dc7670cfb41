"""`cxinsight serve` and `cxinsight mcp`, as a user and an AI assistant meet them: a real server on a free port.

The store holds the start of sample interview 01 spoken by festival (two voices, transcribed and
diarized for real) and a transcript-only episode. The API is compared with the CLI's --json, the page is
driven in Debian's headless Chromium (a citation clicked plays the audio from the cited second), and MCP
is called through the official SDK's client, over stdio and over HTTP.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import CORPUS, ROOT, copied_store
from tests.helpers import LoggedProcess, free_port, transcript_sentences

EPISODE = "brightwater-start"
TEXT_EPISODE = "harbourline"
QUESTION = "How many different customer surveys were running at Brightwater?"
SCREENSHOTS = ROOT / ".pytest-output"  # kept after the run (ignored by git): what the page looked like


@pytest.fixture(scope="module")
def store(tmp_path_factory, audio_and_text_store) -> Path:
    return copied_store(audio_and_text_store, tmp_path_factory.mktemp("serve"))


def start_server(store: Path, *args: str) -> tuple[LoggedProcess, str]:
    port = free_port()
    server = LoggedProcess([sys.executable, "-m", "cxinsight", "--store", str(store), "serve", "--port", str(port), *args],
                           "cxinsight serve")
    server.wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=120)
    return server, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def server(store):
    process, url = start_server(store)
    yield process, url
    process.stop(kill=False)


@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=server[1], timeout=60) as client:
        yield client


@pytest.fixture
def cx(store, cli_run):
    def run(*args):
        result = cli_run("--store", str(store), *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return run


def _still_serving(api) -> None:
    assert api.get("/api/episodes").status_code == 200


# ------------------------------------------------------------------ the API speaks the CLI's contract
def test_api_documents_equal_the_clis_json(api, cx):
    assert api.get("/api/ask", params={"q": QUESTION}).json() == cx("ask", QUESTION, "--json")
    assert api.post("/api/ask", json={"question": QUESTION, "k": 3}).json() == cx("ask", QUESTION, "-k", "3", "--json")
    assert api.get("/api/search", params={"q": "surveys", "k": 4}).json() == cx("search", "surveys", "-k", "4", "--json")
    assert api.get("/api/tactics").json() == cx("tactics", "--json")
    assert api.get("/api/quotes", params={"n": 5}).json() == cx("quotes", "-n", "5", "-f", "json")
    assert api.get(f"/api/episodes/{EPISODE}/shownotes").json() == cx("shownotes", EPISODE, "-f", "json")
    episodes = api.get("/api/episodes").json()["episodes"]
    assert [{k: v for k, v in e.items() if k != "audio"} for e in episodes] == cx("episodes", "--json")["episodes"]
    assert {e["episode_id"]: e["audio"] for e in episodes} == {EPISODE: True, TEXT_EPISODE: False}
    markdown = api.get(f"/api/episodes/{EPISODE}/shownotes", params={"format": "md"})
    assert markdown.headers["content-type"].startswith("text/markdown") and markdown.text.startswith("# ")


def test_an_answer_cites_the_audio_episode_verbatim(api, store):
    answer = api.get("/api/ask", params={"q": QUESTION}).json()
    assert not answer["refused"] and answer["citations"][0]["episode_id"] == EPISODE
    sentences = transcript_sentences(store)
    for citation in answer["citations"]:
        assert citation["quote"] in " ".join(s.text for s in sentences[citation["episode_id"]].sentences)


def test_episode_page_data_has_speakers_and_tactic_mentions(api):
    episode = api.get(f"/api/episodes/{EPISODE}").json()
    assert {s["name"]: s["role"] for s in episode["speakers"]} == {"Hannah Kessler-Moyo": "host", "Marisol Okafor-Lind": "guest"}
    assert episode["audio"] and episode["duration"] > 60
    cited = {sid for m in episode["mentions"] for sid in m["sentence_ids"]}
    assert cited and cited == {s["id"] for s in episode["sentences"] if s["tactics"]}
    assert api.get("/api/tactics/chart.png").content[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------ media: a known episode's own file, by ranges
def test_media_serves_ranges_of_the_episodes_own_file(api, store):
    from cxinsight.settings import load_settings
    from cxinsight.answer.session import Session

    session = Session(load_settings(store=store))
    source = Path(session.archive.record(EPISODE)["source"])
    session.close()
    body = source.read_bytes()
    part = api.get(f"/media/{EPISODE}", headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == body[100:1100]
    assert part.headers["content-type"] == "audio/mpeg" and part.headers["content-range"] == f"bytes 100-1099/{len(body)}"
    whole = api.get(f"/media/{EPISODE}")
    assert whole.status_code == 200 and whole.content == body
    past = api.get(f"/media/{EPISODE}", headers={"Range": f"bytes={len(body) + 10}-"})
    assert past.status_code == 416 and "past the end" in past.json()["error"]
    assert past.headers["content-range"] == f"bytes */{len(body)}"
    assert api.get(f"/media/{EPISODE}", headers={"Range": "pages=1-2"}).status_code == 400


@pytest.mark.parametrize("path", ["/media/..%2F..%2Fetc%2Fpasswd", "/media/%2Fetc%2Fpasswd", "/media/../../etc/passwd",
                                  f"/media/{TEXT_EPISODE}", "/media/no-such-episode", "/static/../../pyproject.toml"])
def test_media_never_serves_another_file(api, path):
    response = api.get(path)
    assert response.status_code == 404, response.text
    assert b"root:" not in response.content and b"[project]" not in response.content


# ------------------------------------------------------------------ bad input: a JSON error, one log line, still serving
@pytest.mark.parametrize("method, path, kwargs, status, says", [
    ("GET", "/api/ask", {"params": {"q": "   "}}, 400, "question is empty"),
    ("GET", "/api/ask", {}, 422, "q: Field required"),
    ("POST", "/api/search", {"json": {"query": "x" * 100_000}}, 413, "over 64 KB"),
    ("POST", "/api/ask", {"json": {"question": "why " * 600}}, 413, "keep it under 2000"),
    ("GET", "/api/episodes/no-such-episode", {}, 404, "unknown episode 'no-such-episode'"),
    ("GET", "/api/quotes", {"params": {"tactic": "no-such-tactic"}}, 400, "unknown tactic"),
    ("GET", "/api/search", {"params": {"q": "surveys", "k": 0}}, 422, "k:"),
    ("POST", "/api/ingest", {"json": {"path": "/etc"}}, 404, "Not Found"),
    ("DELETE", "/api/episodes/brightwater-start", {}, 405, "Method Not Allowed"),
])
def test_bad_requests_get_a_json_error_and_the_server_keeps_serving(api, server, method, path, kwargs, status, says):
    response = api.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    assert says in response.json()["error"] and response.json()["status"] == status
    _still_serving(api)
    assert path.split("?")[0] in server[0].output_tail(5)  # one log line names the request


def test_a_100_kb_url_gets_414_and_the_server_keeps_serving(api, server):
    import http.client

    host, port = server[1].removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)  # httpx refuses to send such a URL itself
    connection.request("GET", "/api/search?q=" + "x" * 100_000)
    response = connection.getresponse()
    assert response.status == 414
    assert "send long text as a JSON body" in json.loads(response.read())["error"]
    connection.close()
    _still_serving(api)


def test_a_chunked_body_of_unknown_length_is_refused_before_it_is_read(api):
    def chunks():
        for _ in range(10):
            yield b'{"query": "' + b"x" * 10_000

    response = api.post("/api/search", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 411 and "Content-Length" in response.json()["error"]
    _still_serving(api)


def test_api_docs_load_nothing_from_the_internet(api):
    import re

    page = api.get("/docs").text
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page) + re.findall(r"""url: ['"]([^'"]+)['"]""", page)
    assert assets and all(a.startswith(("/", "data:")) for a in assets), assets
    for asset in assets:
        if asset.startswith("/"):
            assert api.get(asset).status_code == 200, asset


def test_cors_is_off_unless_asked(api):
    response = api.get("/api/episodes", headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers


def test_read_only_api_has_no_route_that_writes(api):
    spec = api.get("/openapi.json").json()
    methods = {m for item in spec["paths"].values() for m in item}
    assert methods <= {"get", "post"}
    assert {p for p, item in spec["paths"].items() if "post" in item} == {"/api/ask", "/api/search"}


def test_token_is_required_beyond_loopback_and_checked(store):
    done = subprocess.run([sys.executable, "-m", "cxinsight", "--store", str(store), "serve", "--host", "0.0.0.0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.strip().splitlines()[-1].startswith("Error: --host 0.0.0.0 listens beyond")
    process, url = start_server(store, "--token", "s3cret", "--cors-origin", "https://ok.example")
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            assert client.get("/api/episodes").status_code == 401
            assert client.get("/api/episodes", headers={"Authorization": "Bearer wrong"}).json()["error"] == "wrong token"
            assert client.get("/api/episodes", headers={"Authorization": "Bearer s3cret"}).status_code == 200
            assert client.get(f"/media/{EPISODE}", params={"token": "s3cret"}, headers={"Range": "bytes=0-9"}).status_code == 206
            assert client.get(f"/media/{EPISODE}").status_code == 401
            assert client.get("/").status_code == 200  # the page's shell; its API calls carry the token
            def allowed(origin: str) -> str | None:
                return client.get("/api/episodes", headers={"Origin": origin, "Authorization": "Bearer s3cret"}
                                  ).headers.get("access-control-allow-origin")

            assert allowed("https://ok.example") == "https://ok.example" and allowed("https://elsewhere.example") is None
    finally:
        process.stop(kill=False)


# ------------------------------------------------------------------ MCP through the official SDK's client
def _mcp_session(target, token: str | None = None):
    from mcp import Client

    async def run():
        async with Client(target, read_timeout_seconds=180) as client:
            tools = await client.list_tools()
            answer = await client.call_tool("ask", {"question": QUESTION})
            bad = await client.call_tool("shownotes", {"episode": "no-such-episode"})
            return [t.name for t in tools.tools], answer, bad

    return asyncio.run(run())


def _check_mcp(names, answer, bad, store):
    assert sorted(names) == ["ask", "episodes", "quotes", "search", "shownotes"]
    assert not answer.is_error
    citations = answer.structured_content["citations"]
    assert citations and citations[0]["episode_id"] == EPISODE
    sentences = transcript_sentences(store)
    for c in citations:
        assert c["quote"] in " ".join(s.text for s in sentences[c["episode_id"]].sentences)
        assert c["speaker"] and c["end"] > c["start"]
    assert bad.is_error and "unknown episode 'no-such-episode'" in bad.content[0].text


def test_mcp_over_stdio(store):
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=["-m", "cxinsight", "--store", str(store), "mcp"],
                                   env={"PYTHONPATH": os.pathsep.join(sys.path)})
    _check_mcp(*_mcp_session(params), store)


def test_mcp_over_http_on_the_server(server, store):
    _check_mcp(*_mcp_session(f"{server[1]}/mcp"), store)


# ------------------------------------------------------------------ the page, in headless Chromium
@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "Debian's chromium and chromium-driver are needed: `make test` installs them"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--window-size=1280,1000"):
        options.add_argument(flag)
    session = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    yield session
    session.quit()


def _wait(condition, timeout: float = 60, every: float = 0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out")


def test_page_ask_then_click_a_citation_plays_from_the_cited_second(browser, server):
    from selenium.webdriver.common.by import By

    SCREENSHOTS.mkdir(exist_ok=True)
    browser.get(server[1] + "/")
    box = _wait(lambda: browser.find_elements(By.ID, "q"))[0]
    box.send_keys(QUESTION)
    browser.find_element(By.ID, "ask-button").click()
    citations = _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "li.citation"))
    assert "[1]" in browser.find_element(By.ID, "answer-text").text
    play = next(b for b in browser.find_elements(By.CSS_SELECTOR, "li.citation button.play") if b.is_enabled())
    start = float(play.get_attribute("data-start"))
    assert start > 30 and play.get_attribute("data-episode") == EPISODE
    browser.save_screenshot(str(SCREENSHOTS / "serve-ask.png"))
    play.click()
    current = _wait(lambda: browser.execute_script(
        "const a = document.getElementById('player'); return a.readyState >= 1 && a.currentTime > 0 ? a.currentTime : 0;"))
    assert abs(current - start) < 1.0, (current, start)
    assert len(citations) >= 1
    browser.save_screenshot(str(SCREENSHOTS / "serve-playing.png"))


def test_page_refusal_shows_the_reason_and_no_citations(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(server[1] + "/#/?ask=" + "What is the capital of France?".replace(" ", "%20"))
    refusal = _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#answer .refused"))[0]
    assert "no evidence" in refusal.text
    assert browser.find_element(By.ID, "answer").text == refusal.text  # nothing else: no citations, no stray text


def test_page_episode_dashboard_and_quote_board(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(f"{server[1]}/#/episode/{EPISODE}")
    names = _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#speakers td:first-child"))
    assert [" ".join(n.text.split()) for n in names] == ["Hannah Kessler-Moyo host", "Marisol Okafor-Lind guest"]
    assert browser.find_elements(By.CSS_SELECTOR, ".transcript .s.tactic")
    browser.save_screenshot(str(SCREENSHOTS / "serve-episode.png"))
    browser.get(f"{server[1]}/#/tactics")
    _wait(lambda: browser.execute_script("const i = document.querySelector('img.chart'); return i && i.complete && i.naturalWidth > 0;"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#tactics tr")) > 5
    browser.save_screenshot(str(SCREENSHOTS / "serve-tactics.png"))
    browser.get(f"{server[1]}/#/quotes")
    star = _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "button.star"))[0]
    star.click()
    starred = browser.execute_script("return JSON.parse(localStorage.getItem('cxinsight-stars'))")
    assert len(starred) == 1 and next(iter(starred.values()))["text"]
    board = browser.find_elements(By.CSS_SELECTOR, "ol.citations")[0].find_elements(By.CSS_SELECTOR, "li.quote blockquote")
    assert [b.text for b in board] == [f"“{next(iter(starred.values()))['text']}”"]  # the starred list shows it at once
    browser.save_screenshot(str(SCREENSHOTS / "serve-quotes.png"))


# ------------------------------------------------------------------ an ingest goes on while the server reads (last: it adds an episode)
def test_an_ingest_commits_while_the_server_is_open_and_the_server_then_sees_it(api, store, tmp_path):
    assert "meridian" not in {e["episode_id"] for e in api.get("/api/episodes").json()["episodes"]}
    source = shutil.copy(CORPUS / "06-meridian-ward-rounds.vtt", tmp_path / "meridian.vtt")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cxinsight", "--store", str(store), "ingest", str(source), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert time.perf_counter() - started < 120
    assert "meridian" in {e["episode_id"] for e in api.get("/api/episodes").json()["episodes"]}
    assert api.get("/api/search", params={"q": "ward rounds", "episode": "meridian"}).json()["results"]
    assert api.get("/healthz").json()["reopened"] >= 1
