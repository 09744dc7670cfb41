"""Naming diarized voices and splitting segments at a change of voice: pure logic, no models."""

from __future__ import annotations

import numpy as np
import pytest

from cxinsight.models import Segment, Transcript, Word
from cxinsight.transcribe.diarize import Phrase, find_voices, phrases_of, split_by_voice
from cxinsight.transcribe.voices import parse_rename, rename_speakers, voice_names


def _seg(speaker: str, start: float, text: str) -> Segment:
    words = [Word(text=w, start=start + i * 0.4, end=start + i * 0.4 + 0.3) for i, w in enumerate(text.split())]
    return Segment(start=start, end=words[-1].end, text=text, speaker=speaker, words=words)


def _interview() -> Transcript:
    return Transcript(segments=[
        _seg("Speaker 1", 0, "Welcome to the show. What did you find when you arrived?"),
        _seg("Speaker 2", 10, "We found fourteen surveys and a backlog of six thousand complaints, so we stopped launching things."),
        _seg("Speaker 3", 30, "Can I add something? Finance agreed with that."),
        _seg("Speaker 1", 40, "Why did that matter?"),
        _seg("Speaker 2", 45, "Because every survey we switched off gave the team an hour back each week, and they used it well."),
        _seg("Speaker 1", 60, "Thanks for listening."),
    ])


def test_host_asks_and_opens_guest_talks_most_others_stay_numbered():
    names = voice_names(_interview(), host="Hannah Moyo", guest="Marisol Lind")
    assert names == {"Speaker 1": "Hannah Moyo", "Speaker 2": "Marisol Lind"}
    named = rename_speakers(_interview(), names)
    assert [s.speaker for s in named.segments] == ["Hannah Moyo", "Marisol Lind", "Speaker 3", "Hannah Moyo",
                                                   "Marisol Lind", "Hannah Moyo"]
    assert [s.text for s in named.segments] == [s.text for s in _interview().segments]  # words untouched


def test_two_guests_by_talk_time_and_no_names_without_metadata():
    names = voice_names(_interview(), host="Hannah Moyo", guest="Marisol Lind and Ben Ode")
    assert names == {"Speaker 1": "Hannah Moyo", "Speaker 2": "Marisol Lind", "Speaker 3": "Ben Ode"}
    assert voice_names(_interview()) == {}
    # a guest name alone still goes to the voice that talks most, never to the one asking
    assert voice_names(_interview(), guest="Marisol Lind") == {"Speaker 2": "Marisol Lind"}


def test_one_voice_is_the_host_of_a_solo_show():
    solo = Transcript(segments=[_seg("Speaker 1", 0, "Today I want to talk about complaint backlogs.")])
    assert voice_names(solo, host="Hannah Moyo", guest="Marisol Lind") == {"Speaker 1": "Hannah Moyo"}
    assert voice_names(solo, guest="Marisol Lind") == {"Speaker 1": "Marisol Lind"}


def test_numbered_voices_as_other_tools_write_them_are_named_too():
    """pyannote / whisper-ctranslate2 write "SPEAKER_00"; Otter writes "Speaker 1" and "Unknown Speaker"."""
    from cxinsight.transcribe.voices import speaker_names

    pyannote = rename_speakers(_interview(), {"Speaker 1": "SPEAKER_00", "Speaker 2": "SPEAKER_01", "Speaker 3": "Unknown Speaker"})
    assert speaker_names(pyannote, host="Hannah Moyo", guest="Marisol Lind") == {
        "SPEAKER_00": "Hannah Moyo", "SPEAKER_01": "Marisol Lind"}  # "Unknown Speaker" is nobody in particular


def test_named_speakers_from_a_transcript_are_left_alone():
    labelled = Transcript(segments=[_seg("Ana", 0, "Hello there. How are you?"), _seg("Ben", 5, "Fine, thanks.")])
    assert voice_names(labelled, host="Hannah", guest="Marisol") == {}


def test_a_segment_spanning_two_voices_is_split_at_the_words():
    seg = _seg("", 0, "That is right. Let me ask you about managers now.")
    transcript = Transcript(segments=[seg])
    phrases = phrases_of(transcript)
    assert [len(p.words) for p in phrases] == [3, 7]  # a sentence end closes a phrase
    split, voices = split_by_voice(transcript, phrases, [0, 1])
    assert voices == ["Speaker 1", "Speaker 2"]
    assert [(s.speaker, s.text) for s in split.segments] == [
        ("Speaker 1", "That is right."), ("Speaker 2", "Let me ask you about managers now.")]
    assert split.segments[1].start == seg.words[3].start and split.segments[0].end == seg.words[2].end


def test_a_one_voice_segment_keeps_whisper_text_and_a_pause_closes_a_phrase():
    seg = Segment(start=0, end=3, text=" 6,000 cases", speaker="",
                  words=[Word(text="6,000", start=0, end=0.5), Word(text="cases", start=1.5, end=2.0)])
    transcript = Transcript(segments=[seg])
    phrases = phrases_of(transcript)
    assert len(phrases) == 2  # a second of silence between the words
    split, _ = split_by_voice(transcript, phrases, [0, 0])
    assert [s.text for s in split.segments] == [" 6,000 cases"]


def test_find_voices_with_a_forced_count_and_with_nothing_to_embed():
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(2, 256))
    phrases = []
    for i in range(20):
        vector = centres[i % 2] + 0.05 * rng.normal(size=256)
        phrases.append(Phrase(i * 2.0, i * 2.0 + 1.5, [(i, 0)], vector / np.linalg.norm(vector)))
    labels, warning = find_voices(phrases)
    assert len(set(labels)) == 2 and labels[0::2] == [labels[0]] * 10 and not warning
    forced, _ = find_voices(phrases, count=1)
    assert set(forced) == {0}
    empty, warning = find_voices([Phrase(0, 0.2, [(0, 0)])])
    assert empty == [0] and "one speaker" in warning


@pytest.mark.parametrize("text,expected", [("Speaker 3=Jane Doe", ("Speaker 3", "Jane Doe")),
                                           (" Hannah = Hannah K. ", ("Hannah", "Hannah K."))])
def test_parse_rename(text, expected):
    assert parse_rename(text) == expected


@pytest.mark.parametrize("text", ["Speaker 3", "=Jane", "Speaker 3=", ""])
def test_parse_rename_rejects(text):
    with pytest.raises(ValueError, match="OLD=NEW"):
        parse_rename(text)


def test_feed_people_name_the_host_and_guests(tmp_path):
    from cxinsight.sources.feed import read_feed

    feed = tmp_path / "show.xml"
    feed.write_text('''<?xml version="1.0"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"
     xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
  <title>The Loyalty Loop</title><itunes:author>Loop Media</itunes:author>
  <podcast:person role="host">Hannah Kessler-Moyo</podcast:person>
  <item><title>Ep 1</title><enclosure url="https://example.com/1.mp3" type="audio/mpeg" length="1"/>
    <podcast:person role="guest">Marisol Okafor-Lind</podcast:person></item>
  <item><title>Ep 2</title><enclosure url="https://example.com/2.mp3" type="audio/mpeg" length="1"/>
    <podcast:person>Guest Host Ana</podcast:person>
    <podcast:person role="guest">Ben Ode</podcast:person><podcast:person role="Guest">Cy Lee</podcast:person></item>
</channel></rss>''', encoding="utf-8")
    first, second = read_feed(str(feed), tmp_path / "media")
    assert (first.overrides["host"], first.overrides["guest"]) == ("Hannah Kessler-Moyo", "Marisol Okafor-Lind")
    assert (second.overrides["host"], second.overrides["guest"]) == ("Guest Host Ana", "Ben Ode and Cy Lee")
    bare = tmp_path / "bare.xml"
    bare.write_text(feed.read_text().replace('<podcast:person role="host">Hannah Kessler-Moyo</podcast:person>', ""))
    assert read_feed(str(bare), tmp_path / "media")[0].overrides["host"] == "Loop Media"  # itunes:author


def test_a_feed_items_guid_that_is_not_a_url_is_not_its_link(tmp_path):
    from cxinsight.sources.feed import read_feed

    feed = tmp_path / "show.xml"
    feed.write_text('''<?xml version="1.0"?><rss version="2.0"><channel><title>Show</title>
  <item><title>Ep 1</title><guid>cm-2</guid><enclosure url="https://example.com/1.mp3" type="audio/mpeg" length="1"/></item>
  <item><title>Ep 2</title><guid>https://example.com/ep2</guid><enclosure url="https://example.com/2.mp3" type="audio/mpeg" length="1"/></item>
  <item><title>Ep 3</title><link>https://example.com/page3</link><guid isPermaLink="false">x-3</guid>
    <enclosure url="https://example.com/3.mp3" type="audio/mpeg" length="1"/></item>
</channel></rss>''', encoding="utf-8")
    links = [item.overrides["url"] for item in read_feed(str(feed), tmp_path / "media")]
    assert links == ["", "https://example.com/ep2", "https://example.com/page3"]  # no "cm-2#t=7" deep links


def test_uncovered_speech_finds_what_batched_decoding_left_empty():
    from cxinsight.transcribe.engine import SpokenSegment, SpokenWord
    from cxinsight.transcribe.transcriber import uncovered_speech

    spoken = [SpokenSegment(0.0, 8.5, "a b", [SpokenWord(" a", 0.0, 4.0), SpokenWord(" b", 4.0, 8.5)]),
              SpokenSegment(29.9, 40.0, "c", [SpokenWord(" c", 29.9, 40.0)])]
    regions = [(0.1, 8.4), (8.7, 11.6), (11.9, 25.5), (25.9, 33.9), (34.2, 36.4), (37.4, 40.0)]
    assert uncovered_speech(spoken, regions) == [(9.0, 29.4)]  # three regions, one gap to decode again
    assert uncovered_speech(spoken[:1], [(0.1, 8.4), (8.7, 10.0)]) == []  # under two seconds: not worth it
