"""Who a speaker label is (text/people.py), and what follows from it: host lines are context in search and
ask, quotes name the guest's organisation, `speakers` shows roles — on labels as real transcripts write them."""

from __future__ import annotations

from pathlib import Path

from cxinsight.answer.extractive import is_host_line
from cxinsight.answer.retrieve import evidence_first
from cxinsight.ingest.prepare import read_episode
from cxinsight.models import SearchHit
from cxinsight.sources import read_transcript
from cxinsight.sources.metadata import read_metadata
from cxinsight.text.people import full_names, names_in, organisation_of, role_of
from cxinsight.transcribe.voices import speaker_names

DEVSET = Path(__file__).parent.parent / "corpus" / "devset" / "episodes"


def test_full_names_first_names_and_caption_capitals():
    assert role_of("Priya Ramanathan", "Priya Ramanathan", "Dervla Quigley") == "host"
    assert role_of("PRIYA", "Priya Ramanathan", "Dervla Quigley") == "host"  # broadcast captions
    assert role_of("DERVLA", "Priya Ramanathan", "Dervla Quigley") == "guest"
    assert role_of("Quigley", "Priya Ramanathan", "Dervla Quigley") == "guest"
    # two hosts in one field, each labelled by first name
    assert role_of("Leon", "Leon Batts and Farah Quint", "Imogen Tate") == "host"
    assert role_of("Farah", "Leon Batts and Farah Quint", "Imogen Tate") == "host"
    assert role_of("Marisol Teixeira", "Priya Natarajan", "Gareth Ellery; Marisol Teixeira") == "guest"
    # titles and suffixes are not what a transcript calls someone
    assert role_of("JANE", "Dr. Jane Doe", "Ben Ode Jr.") == "host" and role_of("Ode", "Dr. Jane Doe", "Ben Ode Jr.") == "guest"


def test_a_label_that_is_nobody_or_anybody_has_no_role():
    assert role_of("", "Priya Ramanathan", "Dervla Quigley") == ""
    assert role_of("Audience member", "Priya Ramanathan", "Dervla Quigley") == ""
    assert role_of("Speaker 2", "Priya Ramanathan", "Dervla Quigley") == ""
    assert role_of("Priya Sandhu", "Priya Ramanathan", "Dervla Quigley") == ""  # another Priya, named in full
    # host and guest share a first name: "Priya" alone says neither
    assert role_of("Priya", "Priya Ramanathan", "Priya Venn") == ""
    # no host or guest known
    assert role_of("Tom", "", "") == ""


def test_a_solo_shows_voice_is_the_guest():
    assert role_of("Nadia Ferreira-Booth", "Nadia Ferreira-Booth", "Nadia Ferreira-Booth") == "guest"
    assert role_of("NADIA", "Nadia Ferreira-Booth", "Nadia Ferreira-Booth") == "guest"


def test_names_and_organisations_split_where_a_list_is_meant():
    assert names_in("Ana Ruiz and Ben Ode") == names_in("Ana Ruiz; Ben Ode") == ["Ana Ruiz", "Ben Ode"]
    assert organisation_of("Marisol Teixeira", "Priya Natarajan", "Gareth Ellery; Marisol Teixeira",
                           "Halden Rail; Corvo Health") == "Corvo Health"
    assert organisation_of("Gareth", "Priya Natarajan", "Gareth Ellery; Marisol Teixeira",
                           "Halden Rail; Corvo Health") == "Halden Rail"
    assert organisation_of("DERVLA", "Priya Ramanathan", "Dervla Quigley", "Marks & Spencer") == "Marks & Spencer"
    assert organisation_of("PRIYA", "Priya Ramanathan", "Dervla Quigley", "Tidewater Telecom") == ""  # the host's
    assert organisation_of("Ana", "", "Ana Ruiz; Ben Ode", "A; B; C") == ""  # which one is hers is not known


def _hit(episode_id: str, speaker: str, text: str, similarity: float = 0.5) -> SearchHit:
    return SearchHit(episode_id=episode_id, title="", speaker=speaker, start=0.0, end=1.0, text=text, score=0.1,
                     tactics=[], passage_id=f"{episode_id}-{speaker}", similarity=similarity)


def test_a_first_name_host_line_is_context_in_search_and_ask():
    records = {"q": {"host": "Leon Batts and Farah Quint", "guest": "Imogen Tate"}}
    host_line = _hit("q", "Leon", "Our guest today runs customer service at Pocketsure.")
    guest_line = _hit("q", "Imogen", "We cleared seven and a half thousand open complaint cases first.")
    assert is_host_line(host_line, records) and not is_host_line(guest_line, records)
    assert evidence_first([host_line, guest_line], records, set(), 0.35) == [guest_line, host_line]


def test_a_real_podcast_with_first_name_labels_reads_its_roles():
    """d19 labels its speakers "Leon:", "Farah:", "Imogen:"; its sidecar names them in full."""
    path = DEVSET / "d19-queue-theory-podcast.txt"
    transcript = read_transcript(path)
    meta = read_metadata(path, transcript)
    roles = {s.speaker: role_of(s.speaker, meta.host, meta.guest) for s in transcript.segments if s.speaker}
    assert roles == {"Leon": "host", "Farah": "host", "Imogen": "guest"}
    # and each label is stored under the name the metadata gives, so one person is named one way
    assert speaker_names(transcript, meta.host, meta.guest) == {
        "Leon": "Leon Batts", "Farah": "Farah Quint", "Imogen": "Imogen Tate"}


def test_short_labels_are_written_as_the_metadata_names_them():
    assert full_names(["PRIYA", "DERVLA", "Audience member"], "Priya Ramanathan", "Dervla Quigley") == {
        "PRIYA": "Priya Ramanathan", "DERVLA": "Dervla Quigley"}
    assert full_names(["PRIYA RAMANATHAN"], "Priya Ramanathan", "") == {"PRIYA RAMANATHAN": "Priya Ramanathan"}
    # already in full, or not one person's: left as written
    assert full_names(["Dervla Quigley", "Priya"], "Priya Ramanathan", "Priya Venn; Dervla Quigley") == {}


def test_caption_labels_are_stored_under_the_names_the_metadata_gives():
    """d07's captions write "PRIYA:" and "DERVLA:"; the archive (quotes, --speaker, exports) names them in full,
    and the words of every cue stay as written."""
    path = DEVSET / "d07-tidewater-telecom-captions.srt"
    episode = read_episode(path)
    assert {s.speaker for s in episode.sentences} == {"Priya Ramanathan", "Dervla Quigley"}
    raw = read_transcript(path)
    assert [seg.text for seg in episode.transcript.segments] == [seg.text for seg in raw.segments]
    assert {seg.speaker for seg in raw.segments} == {"PRIYA", "DERVLA"}


def test_a_qa_interviews_q_and_a_are_the_host_and_the_guest(tmp_path):
    """"Q:"/"A:" name roles, not people: with the metadata's names they are stored as the host and the guest
    (d04's interviewer and Maren Eklund-Hayes); without, "A" is never guessed to be the guest, and "Q" is
    still the host's line (context, not evidence)."""
    episode = read_episode(DEVSET / "d04-ostra-rail-qa.txt")
    assert {s.speaker for s in episode.sentences} >= {"Julian Fenwick-Oduya", "Maren Eklund-Hayes"}
    assert not {"Q", "A"} & {s.speaker for s in episode.sentences}
    path = tmp_path / "qa.md"
    path.write_text("# Interview\n\n**Q:** What did you do first?\n\n**A:** We cleared the backlog of complaints.\n\n"
                    "**Q:** And then?\n\n**A:** We coached every team lead weekly for six months.\n", encoding="utf-8")
    transcript = read_transcript(path)
    assert read_metadata(path, transcript).guest == ""
    assert role_of("Q", "", "") == "host" and role_of("A", "", "") == "guest"
    assert speaker_names(transcript, "", "Dana Whitfield") == {"A": "Dana Whitfield"}
    assert speaker_names(transcript, "", "Dana Whitfield; Bo Li") == {}  # which guest answers is not known
