"""Writers' commands on the sample corpus: quotes, shownotes, exports, the tactics chart, deep links."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from tests.conftest import CORPUS
from tests.helpers import assert_verbatim, transcript_sentences


@pytest.fixture
def on_corpus(corpus_store, monkeypatch):
    monkeypatch.setenv("CXINSIGHT_STORE", str(corpus_store))
    return corpus_store


@pytest.fixture(scope="module")
def episodes(corpus_store):
    return transcript_sentences(corpus_store)


def test_quotes_are_verbatim_ranked_and_filtered(on_corpus, episodes, cli_run):
    result = cli_run("quotes", "-n", "50", "--format", "json")
    assert result.exit_code == 0
    quotes = json.loads(result.stdout)["quotes"]
    assert len(quotes) == 50
    scores = [q["score"] for q in quotes]
    assert scores == sorted(scores, reverse=True)
    for q in quotes:
        episode = episodes[q["episode_id"]]
        assert_verbatim(q["text"], episode)
        assert 0 <= q["start"] < q["end"] <= episode.transcript.duration + 1
        assert len(q["text"].split()) >= 8
    top = quotes[:10]
    assert all(not q["text"].endswith("?") for q in top)  # questions are not pull quotes
    assert all(q["speaker"] != "Hannah Kessler-Moyo" and q["speaker"] != "Ravi Castellanos" for q in top)  # guests first
    assert all(q["link"].endswith(f"#t={int(q['start'])}") for q in top)
    # a sentence is offered once: no two quotes of an episode share words (a pair and its second sentence alone)
    everything = json.loads(cli_run("quotes", "-n", "1000", "--format", "json").stdout)["quotes"]
    for a in everything:
        assert not any(b is not a and b["episode_id"] == a["episode_id"] and b["start"] < a["end"] and a["start"] < b["end"]
                       for b in everything), a["text"]

    only = json.loads(cli_run("quotes", "--tactic", "hr-integration", "--speaker", "desmond", "--min-words", "12",
                              "--format", "json").stdout)["quotes"]
    assert only and all(q["tactic"] == "hr-integration" and "Desmond" in q["speaker"] for q in only)
    assert all(len(q["text"].split()) >= 12 for q in only)


def test_quotes_markdown_and_csv(on_corpus, cli_run):
    md = cli_run("quotes", "--episode", "02-harbourline-claims", "-n", "3").stdout
    assert md.count("> “") == 3 and "— Desmond Achterberg, Harbourline Mutual · *Trusting the Front Line" in md
    rows = list(csv.DictReader(io.StringIO(cli_run("quotes", "-n", "5", "--format", "csv").stdout)))
    assert len(rows) == 5 and set(rows[0]) >= {"episode_id", "speaker", "timestamp", "text", "link"}


def test_no_quotes_says_why(on_corpus, cli_run):
    """Quotes come from tactic mentions: with none, the message says so instead of blaming the filters."""
    none = cli_run("quotes", "--episode", "02-harbourline-claims", "--tactic", "customer-storytelling")
    assert none.exit_code == 0 and none.stdout == ""
    assert "episode '02-harbourline-claims' has no mention of 'customer-storytelling'" in none.stderr
    filtered = cli_run("quotes", "--episode", "02-harbourline-claims", "--speaker", "nobody-here")
    assert "No quotes match these filters (--speaker, --min-words)." in filtered.stderr


def test_an_episode_without_tactics_still_has_pull_quotes(isolated_store, cli_run, tmp_path):
    """A general conversation names no tactic: quotes and show notes offer its sentences that stand best alone."""
    path = tmp_path / "chat.txt"
    path.write_text("Ana Diaz: Welcome back, everyone, it is good to have you on the show again.\n\n"
                    "Ben Ode: Thanks, Ana. I spent twelve years running a bakery before any of this started.\n\n"
                    "Ana Diaz: What did the bakery teach you?\n\n"
                    "Ben Ode: The bread tells you the truth every single morning, whether you like it or not.\n")
    (tmp_path / "chat.yaml").write_text("host: Ana Diaz\nguest: Ben Ode\n")
    assert cli_run("ingest", str(path)).exit_code == 0
    assert json.loads(cli_run("episodes", "--json").stdout)["episodes"][0]["mentions"] == 0
    result = cli_run("quotes", "--episode", "chat", "--format", "json")
    quotes = json.loads(result.stdout)["quotes"]
    assert [q["speaker"] for q in quotes][:2] == ["Ben Ode", "Ben Ode"] and {q["tactic"] for q in quotes} == {""}
    assert quotes[0]["text"] == "The bread tells you the truth every single morning, whether you like it or not."
    assert not any(q["text"].endswith("?") for q in quotes)  # the host's question is never one
    assert "has no tactic mention" in result.stderr
    notes = json.loads(cli_run("shownotes", "chat", "--format", "json").stdout)
    assert notes["quotes"] and notes["quotes"][0]["speaker"] == "Ben Ode"
    assert "No quotes" in cli_run("quotes", "--episode", "chat", "--tactic", "hr-integration").stderr


def test_shownotes_markdown_is_grounded(on_corpus, episodes, cli_run):
    result = cli_run("shownotes", "02-harbourline-claims", "--format", "json")
    notes = json.loads(result.stdout)
    episode = episodes["02-harbourline-claims"]
    by_id = {s.id: s for s in episode.sentences}
    assert len(notes["summary"]) == 3
    for s in notes["summary"]:
        assert by_id[s["sentence_id"]].text == s["text"]  # extractive: every summary sentence is a transcript sentence
    starts = [c["start"] for c in notes["chapters"]]
    assert len(starts) >= 2 and starts == sorted(starts) and starts[-1] < episode.transcript.duration
    assert 3 <= len(notes["quotes"]) <= 5
    for q in notes["quotes"]:
        assert_verbatim(q["text"], episode)
    assert {t["id"] for t in notes["tactics"]} >= {"frontline-empowerment", "cx-business-case"}

    md = cli_run("shownotes", "02-harbourline-claims").stdout
    assert md.startswith("# Trusting the Front Line at Harbourline Mutual")
    assert "**Guest:** Desmond Achterberg, Harbourline Mutual" in md
    for heading in ("## In this episode", "## Chapters", "## Key tactics", "## Pull quotes"):
        assert heading in md
    assert md.count("— Desmond Achterberg") >= 3


def test_unknown_episode_lists_close_matches(on_corpus, cli_run):
    for command in (["shownotes", "02-harbourline"], ["export", "02-harbourline"], ["quotes", "--episode", "02-harbourline"]):
        result = cli_run(*command)
        assert result.exit_code == 2
        assert "unknown episode '02-harbourline'; did you mean 02-harbourline-claims" in result.stderr


@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt", "json"])
def test_export_episode_parses_back(fmt, on_corpus, episodes, cli_run, tmp_path):
    from cxinsight.sources import read_transcript

    target = tmp_path / f"ep.{fmt}"
    assert cli_run("export", "05-ferncastle-branches", "--format", fmt, "-o", str(target)).exit_code == 0
    again = read_transcript(target)
    original = episodes["05-ferncastle-branches"].transcript
    assert [s.text for s in again.segments] == [s.text for s in original.segments]
    assert [s.speaker for s in again.segments] == [s.speaker for s in original.segments]


def test_export_of_estimated_times_says_so_and_reads_back_estimated(on_corpus, cli_run, tmp_path):
    """04-northpine-advisory-board has no timings: txt has no made-up stamps, vtt a NOTE read back, srt a warning."""
    from cxinsight.sources import read_transcript

    for fmt in ("txt", "vtt", "json"):
        target = tmp_path / f"ep.{fmt}"
        assert cli_run("export", "04-northpine-advisory-board", "--format", fmt, "-o", str(target)).exit_code == 0
        assert read_transcript(target).times_estimated, fmt
    assert "[00:" not in (tmp_path / "ep.txt").read_text()
    result = cli_run("export", "04-northpine-advisory-board", "--format", "srt")
    assert result.exit_code == 0 and "times are estimated" in result.stderr and "SRT cannot say so" in result.stderr
    assert "times are estimated" not in cli_run("export", "05-ferncastle-branches", "--format", "srt").stderr


def test_export_all_mentions_csv(on_corpus, episodes, cli_run):
    rows = list(csv.DictReader(io.StringIO(cli_run("export", "--all", "--format", "csv").stdout)))
    total = sum(r["mentions"] for r in json.loads(cli_run("episodes", "--json").stdout)["episodes"])
    assert len(rows) == total > 50
    for row in rows:
        assert_verbatim(row["quote"], episodes[row["episode_id"]])
    assert cli_run("export", "--all", "--format", "srt").exit_code == 2
    assert cli_run("export").exit_code == 2


def test_tactics_chart(on_corpus, cli_run, tmp_path):
    target = tmp_path / "charts" / "tactics.png"
    result = cli_run("tactics", "--chart", str(target))
    assert result.exit_code == 0
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_deep_link_template_from_metadata(tmp_path, cli_run):
    folder = tmp_path / "eps"
    folder.mkdir()
    shutil.copy(CORPUS / "02-harbourline-claims.srt", folder)
    sidecar = (CORPUS / "02-harbourline-claims.yaml").read_text()
    (folder / "02-harbourline-claims.yaml").write_text(sidecar + 'link_template: "{url}?start={seconds}"\n')
    assert cli_run("ingest", str(folder)).exit_code == 0
    quotes = json.loads(cli_run("quotes", "-n", "3", "--format", "json").stdout)["quotes"]
    assert all(q["link"].endswith(f"?start={int(q['start'])}") for q in quotes)
