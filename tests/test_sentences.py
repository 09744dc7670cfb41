"""Sentences: stable ids, verbatim text, speaker and spoken times; passages for retrieval."""

from __future__ import annotations

from cxinsight.models import Segment, Transcript, Word
from cxinsight.text.sentences import exact_times, group_passages, span_estimated, split_sentences


def test_sentence_split_across_cues_keeps_one_sentence():
    t = Transcript(segments=[
        Segment(start=0, end=2, text="We turned off eleven", speaker="Ana"),
        Segment(start=2, end=4, text="surveys. Then we stopped.", speaker="Ana"),
        Segment(start=4, end=5, text="Why?", speaker="Bo"),
    ])
    sentences = split_sentences(t, "ep")
    assert [(s.id, s.speaker, s.text) for s in sentences] == [
        ("ep:00000", "Ana", "We turned off eleven surveys."),
        ("ep:00001", "Ana", "Then we stopped."),
        ("ep:00002", "Bo", "Why?"),
    ]
    assert sentences[0].start == 0 and 2 < sentences[0].end < 4
    assert sentences[2].start == 4 and sentences[2].end == 5


def test_word_timestamps_give_exact_sentence_times():
    words = [Word(text="Hi.", start=0.3, end=0.6), Word(text="Bye", start=4.0, end=4.2), Word(text="now.", start=4.3, end=4.9)]
    sentences = split_sentences(Transcript(segments=[Segment(start=0, end=5, text="Hi. Bye now.", words=words)]), "e")
    assert [(s.text, s.start, s.end) for s in sentences] == [("Hi.", 0.3, 0.6), ("Bye now.", 4.0, 4.9)]


def test_abbreviations_and_lowercase_do_not_split():
    t = Transcript(segments=[Segment(start=0, end=3, text="I met Dr. Chen at 3 p.m. yesterday. It went well.")])
    assert [s.text for s in split_sentences(t, "e")] == ["I met Dr. Chen at 3 p.m. yesterday.", "It went well."]


def test_ids_are_episode_and_position():
    t = Transcript(segments=[Segment(start=0, end=3, text="One. Two. Three.")])
    assert [s.id for s in split_sentences(t, "x")] == ["x:00000", "x:00001", "x:00002"]
    assert [s.id for s in split_sentences(t, "other")] == ["other:00000", "other:00001", "other:00002"]


def test_passages_stay_within_one_speaker_and_are_verbatim():
    t = Transcript(segments=[
        Segment(start=0, end=6, text="A one. A two. A three. A four.", speaker="Ana"),
        Segment(start=6, end=8, text="B one.", speaker="Bo"),
    ])
    sentences = split_sentences(t, "e")
    passages = group_passages(sentences, "e", max_sentences=3)
    assert [(p.speaker, p.text) for p in passages] == [("Ana", "A one. A two. A three."), ("Ana", "A four."), ("Bo", "B one.")]
    assert passages[0].sentence_ids == ["e:00000", "e:00001", "e:00002"]


def test_chinese_and_japanese_full_stops_end_sentences_verbatim():
    t = Transcript(segments=[Segment(start=0, end=4, text="今日は晴れです。明日は雨でしょう。", speaker="A"),
                             Segment(start=4, end=6, text="そうですね！", speaker="A")])
    sentences = split_sentences(t, "j")
    assert [s.text for s in sentences] == ["今日は晴れです。", "明日は雨でしょう。", "そうですね！"]
    assert sentences[0].start == 0 and 1.5 < sentences[0].end < 2.5 and sentences[2].start == 4


def test_a_long_unpunctuated_run_never_makes_a_sentence_of_minutes():
    words = " ".join(f"word{i}" for i in range(300))  # five minutes of speech with no punctuation
    t = Transcript(segments=[Segment(start=0, end=300, text=words)])
    sentences = split_sentences(t, "x")
    assert " ".join(s.text for s in sentences) == words  # nothing lost or altered
    assert max(s.end - s.start for s in sentences) <= 31  # the cap plus the word that crossed it


def test_times_inside_a_long_cue_without_word_times_are_marked_estimated():
    t = Transcript(segments=[Segment(start=0, end=20, text="First point here. Second point there. Third point last.", speaker="A"),
                             Segment(start=20, end=22, text="Short cue.", speaker="A")])
    sentences = split_sentences(t, "e")
    assert [s.estimated for s in sentences] == [True, True, True, False]  # only the cue's edges are exact times
    assert group_passages(sentences, "e")[0].times_estimated  # the source's times unknown here: flagged
    # Given the source's own times, a passage that spans the long cue whole shows exact times (0-20 s) ...
    whole = group_passages(sentences, "e", exact=exact_times(t))
    assert [(p.start, p.end, p.times_estimated) for p in whole] == [(0.0, 20.0, False), (20.0, 22.0, False)]
    # ... and one that starts or ends inside it does not.
    assert span_estimated(sentences[1:], exact_times(t)) and span_estimated(sentences[:2], exact_times(t))


def test_a_stamped_line_whose_next_stamp_is_minutes_later_keeps_its_sentences_whole_and_early(tmp_path):
    """A fresh user's transcript stamped only where speakers change: the guest's line at 0:04, the next
    stamp at 2:00. Spreading its words over two minutes had cut "…in the first" / "month." at the 30-second
    cap and dated the second sentence a minute late."""
    from cxinsight.sources import read_transcript

    path = tmp_path / "sparse.txt"
    path.write_text("[00:00:00] Ana Ruiz: Welcome to the show.\n"
                    "[00:00:04] Ben Ode: We retired our legacy surveys in the first month. "
                    "Then we rebuilt the complaint process from scratch with the regional teams.\n"
                    "[00:02:00] Ana Ruiz: Why?\n", encoding="utf-8")
    sentences = split_sentences(read_transcript(path), "e")
    assert [s.text for s in sentences] == [
        "Welcome to the show.", "We retired our legacy surveys in the first month.",
        "Then we rebuilt the complaint process from scratch with the regional teams.", "Why?"]
    ben = sentences[1:3]
    assert ben[0].start == 4.0 and ben[1].end < 20  # said from 0:04 at a talking pace, not spread to 2:00
    assert all(s.estimated for s in ben)  # interpolated inside a long cue: shown with "~"
    assert sentences[3].start == 120.0


def test_unpunctuated_captions_are_cut_at_a_cue_end_not_every_60_words():
    """Auto-captions have no sentence ends; a cue's end after 20 words ends the sentence, never mid-cue."""
    lines = [" ".join(f"w{c}x{i}" for i in range(7)) for c in range(12)]  # 12 cues of 7 lower-case words
    t = Transcript(segments=[Segment(start=3 * c, end=3 * c + 3, text=line, speaker="A") for c, line in enumerate(lines)])
    sentences = split_sentences(t, "c")
    assert " ".join(s.text for s in sentences) == " ".join(lines)  # nothing lost or altered
    assert [len(s.text.split()) for s in sentences] == [21, 21, 21, 21]  # three whole cues each
    assert [s.start for s in sentences] == [0, 9, 18, 27]  # each starts where its first cue does
    # punctuated captions keep a long sentence whole across cue ends: 22-word sentences ending mid-cue
    words = [f"W{i}" + ("." if i % 22 == 21 or i == 83 else "") for i in range(84)]
    cues = [" ".join(words[i:i + 7]) for i in range(0, 84, 7)]
    punctuated = Transcript(segments=[Segment(start=3 * c, end=3 * c + 3, text=cue, speaker="A") for c, cue in enumerate(cues)])
    assert [len(s.text.split()) for s in split_sentences(punctuated, "p")] == [22, 22, 22, 18]
