"""Transcript readers: every supported format, metadata sidecars, and every bad input."""

from __future__ import annotations

import json

import pytest

from cxinsight.errors import InputError
from cxinsight.sources import discover, episode_id_for, read_metadata, read_transcript


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_txt_turns_with_stamps(tmp_path):
    path = write(tmp_path / "ep.txt", "[00:05] Ana Ruiz: Hello there. Welcome!\n\n[01:02:03] Bo Li: Thanks.\nMore from Bo.\n")
    t = read_transcript(path)
    assert [(s.speaker, s.start, s.text) for s in t.segments] == [
        ("Ana Ruiz", 5.0, "Hello there. Welcome!"),
        ("Bo Li", 3723.0, "Thanks. More from Bo."),
    ]
    assert t.segments[0].end == 3723.0
    assert t.times_estimated is False


def test_txt_without_stamps_estimates_times_and_says_so(tmp_path):
    path = write(tmp_path / "ep.txt", "Host: one two three four five.\n\nGuest: six seven eight nine ten.\n")
    t = read_transcript(path)
    assert t.times_estimated is True
    assert [s.speaker for s in t.segments] == ["Host", "Guest"]
    assert t.segments[0].start == 0.0 and t.segments[0].end == pytest.approx(2.0)  # 5 words at 2.5 words/s
    assert t.segments[1].start == pytest.approx(2.0)


def test_plain_paragraphs_without_speakers(tmp_path):
    t = read_transcript(write(tmp_path / "ep.txt", "First paragraph here.\n\nSecond one here.\n"))
    assert [s.text for s in t.segments] == ["First paragraph here.", "Second one here."]
    assert all(s.speaker == "" for s in t.segments)


def test_srt_speakers_carry_forward(tmp_path):
    srt = "1\n00:00:01,000 --> 00:00:03,500\nAna Ruiz: We cleared the backlog.\n\n2\n00:00:03,600 --> 00:00:05,000\nIt took a year.\n\n3\n00:00:05,500 --> 00:00:07,000\nBo Li: <i>Impressive.</i>\n"
    t = read_transcript(write(tmp_path / "ep.srt", srt))
    assert [(s.speaker, s.start, s.end, s.text) for s in t.segments] == [
        ("Ana Ruiz", 1.0, 3.5, "We cleared the backlog."),
        ("Ana Ruiz", 3.6, 5.0, "It took a year."),
        ("Bo Li", 5.5, 7.0, "Impressive."),
    ]


def test_vtt_voice_tags(tmp_path):
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ana Ruiz>Hello.\n\n00:00:02.500 --> 00:00:04.000\n<v.loud Bo Li>Hi Ana, good to be here.\n"
    t = read_transcript(write(tmp_path / "ep.vtt", vtt))
    assert [(s.speaker, s.text) for s in t.segments] == [("Ana Ruiz", "Hello."), ("Bo Li", "Hi Ana, good to be here.")]


def test_whisper_json_with_words(tmp_path):
    data = {"text": "Hi there.", "language": "en", "segments": [
        {"id": 0, "start": 0.0, "end": 1.2, "text": " Hi there.", "words": [
            {"word": " Hi", "start": 0.0, "end": 0.4}, {"word": " there.", "start": 0.5, "end": 1.2}]}]}
    t = read_transcript(write(tmp_path / "ep.json", json.dumps(data)))
    assert t.segments[0].text == "Hi there."
    assert [w.text for w in t.segments[0].words] == ["Hi", "there."]
    assert t.language == "en"


def test_a_language_is_only_what_the_source_said(tmp_path):
    """A text source never names its language, so none is claimed: an exported JSON and the episode
    record agree ("" both), and a JSON transcript without one does not become English on reading."""
    from cxinsight.models import known_language
    from cxinsight.text.formats import to_json

    text = read_transcript(write(tmp_path / "ep.txt", "Ana Ruiz: Hola. We cleared the backlog.\n"))
    assert text.language == "" and known_language(text) == ""
    again = read_transcript(write(tmp_path / "again.json", to_json(text)))
    assert again.language == "" and known_language(again) == ""
    old_cache = text.model_copy(update={"language": "en"})  # a cache written before "" meant unknown
    assert known_language(old_cache) == ""


def test_sidecar_metadata_and_defaults(tmp_path):
    path = write(tmp_path / "03-big-talk.txt", "Host: Hi.\n\nDana Wu: I run CX at Acme and talk a lot here.\n")
    t = read_transcript(path)
    meta = read_metadata(path, t)
    assert meta.title == "Big talk" and meta.guest == "Dana Wu"
    write(tmp_path / "03-big-talk.yaml", "title: The Big Talk\norganisation: Acme\nurl: https://example.com/e3\n")
    meta = read_metadata(path, t)
    assert (meta.title, meta.organisation, meta.url) == ("The Big Talk", "Acme", "https://example.com/e3")


def test_episode_ids_are_safe_slugs():
    assert episode_id_for("/x/Épisode 12 — Café & Co.txt") == "episode-12-cafe-co"
    assert episode_id_for("../../etc/passwd.txt") == "passwd"


def test_discover_skips_sidecars_and_hidden(tmp_path):
    write(tmp_path / "a.txt", "Hi.")
    write(tmp_path / "a.json", "{}")  # sidecar of a.txt
    write(tmp_path / "a.yaml", "title: A")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "b.srt", "x")
    write(tmp_path / "c.json", '{"segments": []}')
    (tmp_path / ".hidden").mkdir()
    write(tmp_path / ".hidden" / "d.txt", "x")
    assert sorted(p.name for p in discover([tmp_path])) == ["a.txt", "b.srt", "c.json"]


def test_files_of_other_types_in_a_folder_are_named_not_silently_skipped(tmp_path):
    from cxinsight.sources.discover import passed_over

    for name, text in (("a.txt", "Hi."), ("a.yaml", "title: A"), ("b.srt", "x"), ("b.json", "{}"), ("notes.csv", "x,y"),
                       ("cover.png", "x"), (".DS_Store", "x")):
        write(tmp_path / name, text)
    assert [p.name for p in passed_over([tmp_path])] == ["cover.png", "notes.csv"]
    assert passed_over([tmp_path / "a.txt"]) == []  # a named file is an input, reported if bad


def test_a_named_sidecar_beside_its_named_transcript_is_its_metadata(tmp_path):
    """`cxinsight ingest show/ep1.*` names the transcript and its sidecars; only the transcript is an input."""
    for name, text in (("ep1.txt", "Hi."), ("ep1.yaml", "title: A"), ("ep1.meta.json", "{}"), ("ep2.yml", "title: B")):
        write(tmp_path / name, text)
    named = [tmp_path / n for n in ("ep1.txt", "ep1.yaml", "ep1.meta.json", "ep2.yml")]
    # ep2.yml's transcript is not in the batch: it stays, so the user hears about it
    assert [p.name for p in discover(named)] == ["ep1.txt", "ep2.yml"]
    with pytest.raises(InputError, match=r"metadata \(a sidecar\), not a transcript: .*'ep2\.\*'"):
        read_transcript(tmp_path / "ep2.yml")


BAD_INPUTS = [
    ("missing.txt", None, "no such file"),
    ("notes.pdf", "hello", "unsupported file type '.pdf'"),
    ("notes.docx", "hello", "not a readable Word document"),
    ("empty.txt", "  \n", "empty file"),
    ("utf16-no-bom.txt", "Café talk".encode("utf-16-le"), "not UTF-8 text"),
    ("broken.srt", "1\n00:00:01,000 --> nonsense\nHello\n\n2\nxx\n", "malformed SRT"),
    ("broken.vtt", "Hello, not a WebVTT file\n", "malformed WebVTT"),
    ("broken.json", "{not json", "invalid JSON"),
]


@pytest.mark.parametrize("name,content,cause", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_inputs_name_file_and_cause(tmp_path, name, content, cause):
    path = tmp_path / name
    if content is not None:
        write(path, content)
    with pytest.raises(InputError) as info:
        read_transcript(path)
    message = str(info.value)
    assert message.startswith(str(path)) and cause in message and "\n" not in message


def test_invalid_yaml_sidecar_names_the_sidecar(tmp_path):
    path = write(tmp_path / "ep.txt", "Host: Hi.\n")
    write(tmp_path / "ep.yaml", "title: [unclosed\n")
    with pytest.raises(InputError) as info:
        read_metadata(path, read_transcript(path))
    assert str(info.value).startswith(str(tmp_path / "ep.yaml")) and "invalid YAML" in str(info.value)


@pytest.mark.parametrize("written, stored", [
    ("2024-03-03", "2024-03-03"), ("March 3rd, 2024", "2024-03-03"), ("3 Mar 2024", "2024-03-03"),
    ("Sept 3, 2024", "2024-09-03"), ("Sun, 03 Mar 2024 10:00:00 GMT", "2024-03-03"), ("2024-03-03T23:30:00Z", "2024-03-03"),
    ("03/04/2024", "03/04/2024"),  # March or April: kept as written, never guessed
    ("Spring 2024", "Spring 2024"), ("  ", ""),
])
def test_episode_dates_are_stored_in_one_sortable_form_when_unambiguous(tmp_path, written, stored):
    path = tmp_path / "ep.txt"
    path.write_text("We cleared the backlog.\n")
    (tmp_path / "ep.yaml").write_text(f"date: '{written}'\n")
    assert read_metadata(path, read_transcript(path)).date == stored
