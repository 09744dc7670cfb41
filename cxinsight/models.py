"""The things cxinsight talks about, as typed records.

Data flows one way: Transcript (segments) -> Sentence -> TacticMention -> store
-> Citation / Answer. Every quote a user sees is copied from a Sentence.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class EpisodeMeta(BaseModel):
    """Episode metadata: from a sidecar file, a manifest or a feed, else defaults."""

    title: str
    show: str = ""
    guest: str = ""
    host: str = ""
    organisation: str = ""
    date: str = ""
    url: str = ""  # the episode's web page; citations link to URL#t=SECONDS
    link_template: str = ""  # another deep-link pattern, e.g. "{url}?t={seconds}" (see links.py)


class Word(BaseModel):
    text: str
    start: float
    end: float


class Segment(BaseModel):
    """A span of speech as a source gives it: a subtitle cue, a text turn, a Whisper segment."""

    start: float
    end: float
    text: str
    speaker: str = ""
    words: list[Word] | None = None


class Transcript(BaseModel):
    segments: list[Segment]
    # What Whisper detected (or was told), or a JSON transcript's own; "" when the source never said.
    language: str = ""
    # True when the source had no timings and start/end were estimated from word counts.
    times_estimated: bool = False
    source_format: str = ""
    # Damaged parts of the source that were recovered, each naming its line: shown in the ingest outcome.
    warnings: list[str] = Field(default_factory=list)
    # One line when diarization could not be sure how many voices there are (shown in the outcome).
    speaker_note: str = ""
    # The title the document gives itself (a Markdown or HTML top heading, an HTML <title>): the episode's
    # title unless metadata names one; "" when it gives none.
    title: str = ""
    # Parts the labels themselves give ("Keiko (host):", "Jonah Whitcombe, host:"): speaker -> "host" | "guest".
    roles: dict[str, str] = Field(default_factory=dict)

    @property
    def duration(self) -> float:
        return max((s.end for s in self.segments), default=0.0)


def known_language(transcript: Transcript) -> str:
    """Whisper's language or a JSON transcript's own; "" for a text source, whatever an older cache holds."""
    fmt = transcript.source_format or ""
    return transcript.language if fmt.startswith(("whisper", "json")) else ""


class Sentence(BaseModel):
    """The unit every citation points at: stable id, verbatim text, speaker, times."""

    id: str  # "{episode_id}:{index:05d}", stable for the same content
    index: int
    text: str
    speaker: str = ""
    start: float
    end: float
    # True when start or end was interpolated inside a long cue that had no word times (shown with "~").
    estimated: bool = False


class Episode(BaseModel):
    id: str
    meta: EpisodeMeta
    source_path: str
    content_hash: str
    transcript: Transcript
    sentences: list[Sentence]

    @property
    def times_estimated(self) -> bool:
        return self.transcript.times_estimated


class Tactic(BaseModel):
    id: str
    name: str
    description: str
    examples: list[str] = Field(default_factory=list)
    # Names a text may call the tactic by ("catch-up phase"): a sentence that names it gets it.
    aliases: list[str] = Field(default_factory=list)


class TacticMention(BaseModel):
    """One place an episode discusses a tactic: it points at sentences, never holds invented text."""

    episode_id: str
    tactic_id: str
    sentence_ids: list[str]
    score: float
    extractor: str
    summary: str = ""


class Passage(BaseModel):
    """A retrieval unit: consecutive sentences of one speaker turn."""

    id: str
    episode_id: str
    sentence_ids: list[str]
    text: str
    speaker: str
    start: float
    end: float
    tactics: list[str] = Field(default_factory=list)
    times_estimated: bool = False  # a sentence's time in it was interpolated (see Sentence.estimated)


class SearchHit(BaseModel):
    episode_id: str
    title: str
    speaker: str
    start: float
    end: float
    text: str
    score: float
    tactics: list[str]
    passage_id: str = Field(default="", exclude=True)
    similarity: float = Field(default=0.0, exclude=True)
    url: str = Field(default="", exclude=True)
    times_estimated: bool = Field(default=False, exclude=True)


class Citation(BaseModel):
    n: int
    episode_id: str
    title: str
    speaker: str
    start: float
    end: float
    quote: str
    tactic: str | None = None
    url: str = Field(default="", exclude=True)
    times_estimated: bool = Field(default=False, exclude=True)


class Answer(BaseModel):
    question: str
    answer: str
    refused: bool
    citations: list[Citation]
    generated_by: str = Field(default="", exclude=True)  # "SPEC (prompt version)" when an LLM wrote the answer
