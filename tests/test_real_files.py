"""Real public files (tests/fixtures/real, sources in its README): read exactly, and round-trip exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxinsight.errors import CxError
from cxinsight.models import Segment, Transcript
from cxinsight.sources import read_transcript
from cxinsight.sources.plaintext import parse_plaintext
from cxinsight.sources.subtitles import parse_srt, parse_vtt
from cxinsight.text.formats import to_srt, to_vtt

REAL = Path(__file__).parent / "fixtures" / "real"


def test_colon_phrases_are_not_speakers_and_no_word_is_lost():
    text = ("Here's the thing: nobody owned the backlog.\n\n"
            "As Marshall Goldsmith says: what got you here won't get you there.\n\n"
            "Marisol Okafor-Lind: We switched off eleven surveys.\n")
    segments = parse_plaintext(text).segments
    assert [(s.speaker, s.text) for s in segments] == [
        ("", "Here's the thing: nobody owned the backlog."),
        ("", "As Marshall Goldsmith says: what got you here won't get you there."),
        ("Marisol Okafor-Lind", "We switched off eleven surveys."),
    ]


def test_recurring_and_every_turn_labels_are_speakers():
    assert [s.speaker for s in parse_plaintext("Host: one two.\n\nGuest: three four.\n").segments] == ["Host", "Guest"]
    srt_file = REAL / "srt" / "podcastns-example.srt"  # "Travis: …" on every cue
    speakers = {s.speaker for s in read_transcript(srt_file).segments}
    assert "Travis" in speakers and "" not in speakers


def test_webvtt_keeps_milliseconds():
    segments = read_transcript(REAL / "vtt" / "webvttpy-sample.vtt").segments
    assert (segments[0].start, segments[0].end, segments[1].end) == (0.5, 7.0, 11.89)


def test_character_references_are_decoded_once():
    text = read_transcript(REAL / "vtt" / "vttjs-escape-together.vtt").segments[0].text
    assert "&lt;" not in text and "&amp;" not in text and "&nbsp;" not in text and "&lrm;" not in text
    assert text.startswith("Some text < &> <") and text.endswith("other stuff.")


def test_two_voices_in_one_cue_are_two_speakers():
    segments = read_transcript(REAL / "vtt" / "vttjs-cycle-collector-talk.vtt").segments
    pairs = [(s.speaker, s.text) for s in segments]
    assert ("Chris Pearce", "Okay, we're good now.") in pairs
    assert ("Kyle Huey", "Oh, now we're good? Laughter") in pairs  # the cue's voiceless last line stays with it
    spoken = [s for s in segments if s.text.startswith("Oh, now we're good?")][0]
    assert spoken.start >= [s for s in segments if s.text == "Okay, we're good now."][0].end - 1e-6


def _readable(folder: str, suffix: str) -> list[Path]:
    files = []
    for path in sorted((REAL / folder).glob(f"*{suffix}")):
        try:
            read_transcript(path)
            files.append(path)
        except CxError:
            continue  # deliberately broken fixtures are covered by the bad-input tests
    return files


@pytest.mark.parametrize("path", _readable("vtt", ".vtt") + _readable("srt", ".srt"), ids=lambda p: p.name)
def test_export_then_read_gives_identical_text_speakers_and_times(path):
    original = read_transcript(path)
    for writer, reader in ((to_vtt, parse_vtt), (to_srt, parse_srt)):
        again = reader(writer(original), path)
        assert [(s.speaker, s.text) for s in again.segments] == [(s.speaker, s.text) for s in original.segments], writer
        for a, b in zip(again.segments, original.segments):
            assert abs(a.start - b.start) <= 0.001 and abs(a.end - max(b.end, b.start + 0.01)) <= 0.001


def test_vtt_export_escapes_markup_characters():
    t = Transcript(segments=[Segment(start=2.76, end=3.5, text="R&D went from <70 to >85", speaker="Ana")])
    written = to_vtt(t)
    assert "R&amp;D went from &lt;70 to &gt;85" in written
    assert parse_vtt(written, "x").segments[0].text == "R&D went from <70 to >85"


@pytest.mark.parametrize("name", ["astisub-example-in-non-utf8.vtt", "astisub-example-in-non-utf8.srt"])
def test_utf16_files_with_a_byte_order_mark_are_read(name):
    folder = "vtt" if name.endswith(".vtt") else "srt"
    segments = read_transcript(REAL / folder / name).segments
    assert segments and all("\ufeff" not in s.text and "\x00" not in s.text for s in segments)


def test_whisperx_word_without_times_keeps_its_text():
    transcript = read_transcript(REAL / "json" / "openfacefx-whisperx.json")
    words = [(w.text, w.start, w.end) for s in transcript.segments for w in (s.words or [])]
    # "2024" has no start/end in the file (whisperX leaves numbers unaligned): it joins the word before it.
    assert words == [("hello", 0.008, 0.41), ("brave 2024", 0.45, 0.88), ("world", 0.95, 1.33)]


def test_whisper_cpp_json_is_understood():
    transcript = read_transcript(REAL / "json" / "yt2txt-whisper-cpp.json")
    assert transcript.segments[0].text == "Olá pessoal," and transcript.segments[-1].end > 0


def test_podcasting20_segment_without_end_time_ends_at_the_next(tmp_path):
    path = tmp_path / "p20.json"
    path.write_text('{"version": "1.0.0", "segments": [{"speaker": "Ana", "startTime": 0.5, "body": "Hello there."},'
                    ' {"speaker": "Bo", "startTime": 2.25, "endTime": 3.0, "body": "Hi."}]}')
    segments = read_transcript(path).segments
    assert [(s.speaker, s.start, s.end) for s in segments] == [("Ana", 0.5, 2.25), ("Bo", 2.25, 3.0)]


def test_rolling_captions_are_stored_once():
    segments = read_transcript(REAL / "vtt" / "webvttpy-youtube_dl.vtt").segments
    assert " ".join(s.text for s in segments) == "yeah what this will happen is I'm telling"
    assert segments[-1].end == 305.4  # the repeated last cue only extended how long the words were shown


def test_ordinary_subtitles_are_not_unrolled():
    from cxinsight.sources.subtitles import _unroll

    plain = [Segment(start=i, end=i + 1, text=t) for i, t in enumerate(["we went to the", "the store and", "bought milk", "then home"])]
    assert _unroll(plain) == plain


@pytest.mark.parametrize("name, expected", [
    ("vtt/webvttpy-invalid_timeframe.vtt", "line 6: unreadable cue timing"),
    ("srt/webvttpy-missing_timeframe.srt", "line 5: cue 2 has no timing line"),
])
def test_a_damaged_cue_is_recovered_and_reported_with_its_line(name, expected):
    transcript = read_transcript(REAL / name)
    text = " ".join(s.text for s in transcript.segments)
    assert "Caption text #2" in text and " 2 Caption" not in text  # no word lost, no cue number leaked
    assert len(transcript.warnings) == 1 and transcript.warnings[0].startswith(expected)


def test_ssa_override_tags_in_subrip_are_markup_not_words(tmp_path):
    path = tmp_path / "top.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,500\n{\\an8}Nobody owned the backlog.\n\n"
                    "2\n00:00:03,000 --> 00:00:04,000\nWe {\\i1}fixed{\\i0} it.\n")
    assert [s.text for s in read_transcript(path).segments] == ["Nobody owned the backlog.", "We fixed it."]


def test_bracketed_diarization_labels_are_speakers_a_line_each():
    """whisper-ctranslate2's diarized text output: "[SPEAKER_01]: Hola, …" on every line, no blank lines."""
    path = REAL / "other" / "whisperct2-dosparlants-diarization.txt"
    segments = read_transcript(path).segments
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [(s.speaker, s.text) for s in segments] == [
        (line[1:line.index("]")], line[line.index(":") + 1:].strip()) for line in lines]
    assert {s.speaker for s in segments} == {"SPEAKER_00", "SPEAKER_01"}


# Exports of transcription services: who and when on a header line, or inline before the words. Written here
# in each service's layout (not copied from a real export); the words must come through whole and in order.
SERVICE_EXPORTS = {
    "otter": "Jane Doe  0:02  \nWelcome to the show.\nToday: complaints.\n\nSpeaker 1  0:08  \nThanks for having me.\n\n"
             "Jane Doe  1:05:12  \nHow long did it take?\n\nTranscribed by https://otter.ai\n",
    "rev": "Jane Doe (00:00:02):\nWelcome to the show.\nToday: complaints.\n\nSpeaker 1 (00:00:08):\nThanks for having me.\n\n"
           "Jane Doe (01:05:12):\nHow long did it take?\n",
    "rev inline": "Jane Doe (00:00:02): Welcome to the show.\nToday: complaints.\nSpeaker 1 (00:00:08): Thanks for having me.\n"
                  "Jane Doe (01:05:12): How long did it take?\n",
    "time first": "00:00:02 Jane Doe: Welcome to the show. Today: complaints.\n00:00:08 Speaker 1: Thanks for having me.\n"
                  "01:05:12 Jane Doe: How long did it take?\n",
    "bracketed header": "[00:00:02] Jane Doe\nWelcome to the show.\nToday: complaints.\n\n[00:00:08] Speaker 1\n"
                        "Thanks for having me.\n\n[01:05:12] Jane Doe\nHow long did it take?\n",
    "bold header": "**Jane Doe (00:00:02):**  \nWelcome to the show.\nToday: complaints.\n\n**Speaker 1 (00:00:08):** "
                   "Thanks for having me.\n\n**Jane Doe (01:05:12):**\nHow long did it take?\n",
    "stamp after name": "Jane Doe: [00:00:02] Welcome to the show. Today: complaints.\n"
                        "Speaker 1: [00:00:08] Thanks for having me.\nJane Doe: [01:05:12] How long did it take?\n",
}


@pytest.mark.parametrize("layout", SERVICE_EXPORTS)
def test_transcription_service_exports_give_speakers_and_times_and_keep_every_word(layout):
    transcript = parse_plaintext(SERVICE_EXPORTS[layout])
    segments = transcript.segments
    assert not transcript.times_estimated
    assert [(s.speaker, s.start) for s in segments] == [("Jane Doe", 2.0), ("Speaker 1", 8.0), ("Jane Doe", 3912.0)]
    assert " ".join(s.text for s in segments).split() == (
        "Welcome to the show. Today: complaints. Thanks for having me. How long did it take?").split()


def test_time_only_headers_and_text_that_merely_mentions_times():
    segments = parse_plaintext("0:00\nwelcome back everyone\n0:04\ntoday we talk about complaints\n").segments
    assert [(s.start, s.text) for s in segments] == [(0.0, "welcome back everyone"), (4.0, "today we talk about complaints")]
    # times inside prose, or that go back, are words like any other
    for text in ("Doors opened at 9:30\nWe met at 10:15\nIt was a long day.\n",
                 "Jane Doe  0:50\nLate.\n\nJane Doe  0:10\nEarly.\n"):
        assert " ".join(s.text for s in parse_plaintext(text).segments).split() == text.split()


def test_a_word_document_export_reads_like_its_text_export(tmp_path):
    """Rev and Otter hand transcripts over as .docx: the same headers, read from the document's paragraphs."""
    from docx import Document

    document = Document()
    for paragraph in SERVICE_EXPORTS["rev"].split("\n\n"):
        document.add_paragraph(paragraph.strip())  # a paragraph's line breaks come through as line breaks
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "Appendix kept in a table."
    path = tmp_path / "episode.docx"
    document.save(str(path))
    transcript = read_transcript(path)
    assert [(s.speaker, s.start) for s in transcript.segments] == [("Jane Doe", 2.0), ("Speaker 1", 8.0), ("Jane Doe", 3912.0)]
    assert " ".join(s.text for s in transcript.segments).split() == (
        "Welcome to the show. Today: complaints. Thanks for having me. How long did it take? "
        "Appendix kept in a table.").split()


def test_a_damaged_word_document_is_one_clear_error(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CxError, match=r"broken\.docx: not a readable Word document"):
        read_transcript(path)


def test_a_markdown_transcript_reads_as_the_text_a_reader_sees(tmp_path):
    path = tmp_path / "episode-12.md"
    path.write_text("# Episode 12\n\n**Jane Doe (00:00:02):** Welcome to *the* show.\nToday: complaints.\n\n"
                    "**Speaker 1 (00:00:08):**  \nThanks for [having me](https://example.org) &amp; the team.\n\n"
                    "**Jane Doe (01:05:12):** How long did it take?\n", encoding="utf-8")
    segments = read_transcript(path).segments
    assert [(s.speaker, s.start, s.text) for s in segments] == [
        ("", 0.0, "Episode 12"),  # the title, before the first header: nobody's words
        ("Jane Doe", 2.0, "Welcome to the show. Today: complaints."),
        ("Speaker 1", 8.0, "Thanks for having me & the team."),
        ("Jane Doe", 3912.0, "How long did it take?"),
    ]


def test_caption_files_named_for_the_other_format_are_read_as_what_they_are(tmp_path):
    vtt_named_srt = tmp_path / "zoom.srt"
    vtt_named_srt.write_text("WEBVTT\n\n1\n00:00:01.250 --> 00:00:03.500\nJane Doe: We cleared the backlog.\n")
    transcript = read_transcript(vtt_named_srt)
    assert [(s.speaker, s.start, s.text) for s in transcript.segments] == [("Jane Doe", 1.25, "We cleared the backlog.")]
    assert "WebVTT" in transcript.warnings[0] and ".srt" in transcript.warnings[0]
    srt_named_vtt = tmp_path / "captions.vtt"
    srt_named_vtt.write_text("1\n00:00:01,250 --> 00:00:03,500\nWe cleared the backlog.\n")
    transcript = read_transcript(srt_named_vtt)
    assert [(s.start, s.text) for s in transcript.segments] == [(1.25, "We cleared the backlog.")]
    assert "SubRip" in transcript.warnings[0]


def test_a_speaker_label_inside_font_markup_is_a_speaker(tmp_path):
    """Broadcast subtitles colour each voice: <font color="#00ffff">KAREN LEE:</font> <i>Listen</i> first."""
    path = tmp_path / "colours.srt"
    path.write_text('1\n00:00:01,000 --> 00:00:03,000\n<font color="#ffff00">INTERVIEWER:</font> Your advice?\n\n'
                    '2\n00:00:03,500 --> 00:00:06,000\n<font color="#00ffff">KAREN LEE:</font> <i>Listen</i> before you launch.\n\n'
                    '3\n00:00:06,500 --> 00:00:08,000\n<font color="#ffff00">INTERVIEWER:</font> Thank you.\n')
    assert [(s.speaker, s.text) for s in read_transcript(path).segments] == [
        ("INTERVIEWER", "Your advice?"), ("KAREN LEE", "Listen before you launch."), ("INTERVIEWER", "Thank you.")]


def test_role_labels_name_their_holder_and_headings_are_their_own_sentences():
    from cxinsight.text.sentences import split_sentences

    text = ("Episode 12: Coaching Middle Managers\n\nHost (Alex Kim): Welcome to Customer Craft.\n\n"
            "Guest (Dana White): Thanks Alex.\n\nHost (Alex Kim): What does coaching look like?\n")
    assert [s.speaker for s in parse_plaintext(text).segments] == ["", "Alex Kim", "Dana White", "Alex Kim"]
    unbracketed = "Host Anna Berg: Welcome back.\n\nGuest Ben Ode: Glad to be here.\n\nHost Anna Berg: Where did you start?\n"
    assert [s.speaker for s in parse_plaintext(unbracketed).segments] == ["Anna Berg", "Ben Ode", "Anna Berg"]
    assert [s.speaker for s in parse_plaintext("Host: Hi there.\n\nGuest: Hello.\n").segments] == ["Host", "Guest"]
    article = ("Why Frontline Empowerment Works\nWhen Harbour Insurance gave its claims handlers authority to settle "
               "claims under $2,000 without approval, resolution time fell from nine days to two.\n"
               "Lessons for other insurers\nNot every company can move that fast, and regulators in some markets "
               "require sign-off on larger payments.\n")
    sentences = [s.text for s in split_sentences(parse_plaintext(article), "a")]
    assert sentences[0] == "Why Frontline Empowerment Works" and sentences[2] == "Lessons for other insurers"
    assert " ".join(sentences).split() == article.split()  # nothing lost
    # hard-wrapped prose (72 columns) splits exactly as the same paragraph on one line
    import textwrap

    prose = ("We settled claims faster than anyone. The change was led by our Chief Customer Officer Elena Vasquez, "
             "who had spent a decade in claims herself. She Knew Every Form By Heart And Said So. Within a year the "
             "complaints about delays had dropped by a third, and the Regulator Noticed. Nobody asked for the old "
             "approval chain back.")
    for width in (40, 56, 72):
        wrapped = textwrap.fill(prose, width)
        assert [s.text for s in split_sentences(parse_plaintext(wrapped), "w")] == [
            s.text for s in split_sentences(parse_plaintext(prose), "p")], width


def test_titles_and_page_fields_before_a_colon_are_not_speakers():
    """Scraped articles: a title "The Quiet Year: How …", fields "Tags: …" and "Subject: …" are words, not people;
    once taken for speakers they were carried over every paragraph below (a whole article quoted as "Tags")."""
    article = ("The Quiet Year: How a Water Company Learned to Stop Promising Things\n\n"
               "Ruth Adebayo-Kell spent her first year switching things off.\n\n"
               "She closed four survey programmes and a loyalty scheme.\n")
    page = ("Guest Post\nTags: Employee experience, Operations, Logistics\nEditor's note: This is a guest post.\n\n"
            "The first thing we did was stop talking about customers for a bit.\n\n"
            "Related posts\nRoundtable Notes: Service Operations in Housing\nGreen Buildings: Our 2024 Energy Report\n")
    memo = ("VANTRY HOME INSURANCE: INTERNAL MEMO\n\nTo: Contact centre managers\nFrom: Gareth Penhaligon\n"
            "Subject: Contact centre efficiency plan\n\nLast year we handled 1.42 million inbound calls.\n")
    for text in (article, page, memo):
        segments = parse_plaintext(text).segments
        assert {s.speaker for s in segments} == {""}, text
        assert " ".join(s.text for s in segments).split() == text.split()  # every word, the labels' too
    # a speaker who only ever says short things is still one when the file is a conversation
    talk = "Tom: Morning.\n\nGareth: Morning all, shall we start with the queue?\n\nTom: Sure\n\nGareth: Go on then.\n"
    assert [s.speaker for s in parse_plaintext(talk).segments] == ["Tom", "Gareth", "Tom", "Gareth"]


def test_windows_1252_lines_are_read_and_named_and_other_code_pages_refused(tmp_path):
    """Word's "Save as text" and older caption tools write Windows-1252: one byte for "é", a curly quote, a dash.
    Each such line is read as Windows-1252 (a UTF-8 line beside it stays UTF-8) and a warning names them."""
    srt = tmp_path / "old.srt"
    srt.write_bytes(b"1\r\n00:00:01,000 --> 00:00:03,000\r\nJos\xe9 Ruiz: We cleared the backlog \x96 all of it.\r\n\r\n"
                    b"2\r\n00:00:04,000 --> 00:00:06,000\r\n\xe2\x80\x9cSix weeks,\xe2\x80\x9d she said.\r\n")
    transcript = read_transcript(srt)
    assert [(s.speaker, s.text) for s in transcript.segments] == [
        ("José Ruiz", "We cleared the backlog – all of it."), ("José Ruiz", "“Six weeks,” she said.")]
    assert transcript.warnings == ["1 line not UTF-8, read as Windows-1252 (first: line 3)"]
    cyrillic = tmp_path / "ru.txt"
    cyrillic.write_bytes("Мы закрыли все жалобы за шесть недель.\n".encode("cp1251"))
    with pytest.raises(CxError, match=r"not UTF-8 text \(invalid byte 0xcc at offset 0\); re-save it as UTF-8"):
        read_transcript(cyrillic)


def test_a_document_names_itself_by_its_top_heading_and_an_html_heading_is_its_own_sentence(tmp_path):
    from cxinsight.ingest.prepare import read_episode

    md = tmp_path / "2024-03-harbourline.md"
    md.write_text("# How Harbourline *Cleared* Its Backlog\n\n## Part one\n\nWe cleared the backlog in six weeks.\n")
    assert read_episode(md).meta.title == "How Harbourline Cleared Its Backlog"
    page = tmp_path / "post.html"
    page.write_text("<html><head><title>Blog | Acme</title></head><body><h1>Coaching the <em>middle</em></h1>"
                    "<p>We coached every team lead weekly.</p></body></html>")
    episode = read_episode(page)
    assert episode.meta.title == "Coaching the middle"  # the page's heading, not <title> with the site's name
    assert [s.text for s in episode.sentences] == ["Coaching the middle", "We coached every team lead weekly."]
    bare = tmp_path / "bare.html"
    bare.write_text("<html><head><title>Claims, cleared</title></head><body><p>We cleared it.</p></body></html>")
    assert read_episode(bare).meta.title == "Claims, cleared"
    sidecar = tmp_path / "post.yaml"
    sidecar.write_text("title: From the sidecar\n")
    assert read_episode(page).meta.title == "From the sidecar"  # metadata a user wrote comes first


def test_cues_out_of_order_are_read_as_they_play_and_said():
    shuffled, ordered = (read_transcript(REAL / "srt" / name) for name in ("srt-monsters-bad-order.srt", "srt-monsters.srt"))
    assert [(s.start, s.end, s.text) for s in shuffled.segments] == [(s.start, s.end, s.text) for s in ordered.segments]
    assert shuffled.warnings == ["1 cue out of time order in the file; read in the order they play"]
    assert ordered.warnings == []


def test_a_text_stamp_that_goes_back_in_time_is_kept_as_written_and_said():
    transcript = parse_plaintext("[00:10] Ana Diaz: We cleared the backlog.\n\n[02:00] Ben Ode: How long did that take you?\n\n"
                                 "[01:05] Ana Diaz: Six weeks, all told, with the whole team on it.\n\n[03:00] Ben Ode: Great.")
    assert [s.start for s in transcript.segments] == [10.0, 120.0, 65.0, 180.0]  # the file's order and stamps stand
    assert transcript.warnings == ['stamp [01:05] comes after [02:00], earlier in time, at "Six weeks, all told, with the…"; '
                                   "times there may be wrong"]
    assert parse_plaintext("[00:10] Ana Diaz: One.\n\n[00:20] Ben Ode: Two.").warnings == []


def test_a_chinese_code_page_file_is_refused_not_misread():
    with pytest.raises(CxError, match=r"srt-gb2312\.srt: not UTF-8 text \(invalid byte 0xd3 at offset 32\)"):
        read_transcript(REAL / "srt" / "srt-gb2312.srt")


@pytest.mark.parametrize("text", [
    "ANNA BERG\nWe cleared the backlog in six weeks.\n\nBEN ODE\nHow did you do it?\n\nANNA BERG\nWe coached every lead.\n",
    "Anna Berg:\nWe cleared the backlog in six weeks.\n\nBen Ode:\nHow did you do it?\n\nAnna Berg:\nWe coached every lead.\n",
    "ANNA BERG\n\nWe cleared the backlog in six weeks.\n\nBEN ODE\n\nHow did you do it?\n\nANNA BERG\n\nWe coached every lead.\n",
])
def test_a_name_on_its_own_line_above_the_words_is_their_speaker(text):
    turns = [(s.speaker.title(), s.text) for s in parse_plaintext(text).segments]
    assert turns == [("Anna Berg", "We cleared the backlog in six weeks."), ("Ben Ode", "How did you do it?"),
                     ("Anna Berg", "We coached every lead.")]


def test_a_recurring_line_that_heads_few_blocks_stays_text():
    """A scraped page's "Advertisement" recurs above paragraphs, as a screenplay's name does, but heads few blocks."""
    text = ("Why backlogs matter\n\nWe cleared the backlog in six weeks, said the chief.\n\nAdvertisement\n\n"
            "The team coached leads weekly.\n\nMore on surveys.\n\nAdvertisement\n\nThe last paragraph.\n\nMore.\n")
    segments = parse_plaintext(text).segments
    assert {s.speaker for s in segments} == {""}
    assert [s.text for s in segments].count("Advertisement") == 2  # every word kept, in place


def test_a_dash_in_a_cue_starts_another_speakers_turn():
    """Netflix's subtitles (a real file) mark two voices in one cue with dashes: two turns, the time shared."""
    segments = read_transcript(REAL / "vtt" / "webvttpy-netflix_chicas_del_cable.vtt").segments
    cue = [s for s in segments if 59.6 <= s.start < 62.0]
    assert [s.text for s in cue] == ["Déjala.", "Tú no te metas. ¡No te metas!"]
    assert (cue[0].start, cue[0].end == cue[1].start, cue[1].end) == (59.64, True, 62.0)
    assert not any(s.text.startswith("-") for s in segments)


def test_each_dashed_line_keeps_its_own_label(tmp_path):
    path = tmp_path / "dash.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:04,000\n- ANA: How long did it take?\n- BEN: Six months.\n\n"
                    "2\n00:00:05,000 --> 00:00:08,000\nANA: And the backlog, -5 days later?\n")
    assert [(s.speaker, s.text) for s in read_transcript(path).segments] == [
        ("ANA", "How long did it take?"), ("BEN", "Six months."), ("ANA", "And the backlog, -5 days later?")]


def test_estimated_times_survive_a_vtt_and_txt_round_trip():
    from cxinsight.text.formats import to_txt

    guessed = parse_plaintext("Ana Diaz: We cleared the backlog.\n\nBen Ode: How long did it take?\n")
    assert guessed.times_estimated
    for again in (parse_vtt(to_vtt(guessed), "x.vtt"), parse_plaintext(to_txt(guessed))):
        assert again.times_estimated and [(s.speaker, s.text) for s in again.segments] == [
            (s.speaker, s.text) for s in guessed.segments]
    timed = parse_vtt(to_vtt(guessed.model_copy(update={"times_estimated": False})), "x.vtt")
    assert not timed.times_estimated
