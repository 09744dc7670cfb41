"""Who speaks in an episode, and fixing a name: `cxinsight speakers EPISODE [--rename OLD=NEW]`."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from cxinsight.text.people import role_of
from cxinsight.text.sentences import is_question
from cxinsight.transcribe.voices import rename_speakers, voice_stats


@dataclass
class Speaker:
    name: str
    role: str  # "host", "guest" or ""
    seconds: float
    share: float  # of all talk time
    sentences: int
    sample: str  # a statement of theirs, to recognise the voice by what it says
    sample_start: float

    def as_dict(self) -> dict:
        return asdict(self)


def speakers_of(episode) -> list[Speaker]:
    """Every voice of an episode with talk time and a sample line, in order of first appearance."""
    stats = voice_stats(episode.transcript)
    total = sum(v.seconds for v in stats) or 1.0
    out = []
    for voice in stats:
        mine = [s for s in episode.sentences if s.speaker == voice.name]
        statements = [s for s in mine if not is_question(s.text) and len(s.text) <= 200] or mine
        sample = max(statements, key=lambda s: len(s.text.split()), default=None)
        role = role_of(voice.name, episode.meta.host, episode.meta.guest)
        out.append(Speaker(voice.name, role, round(voice.seconds, 1), round(voice.seconds / total, 3),
                           len(mine), sample.text if sample else "", sample.start if sample else 0.0))
    return out


def rename_in_episode(episode, old: str, new: str):
    """The episode with `old` renamed to `new` in its transcript, sentences and host/guest fields."""
    if old not in {s.speaker for s in episode.transcript.segments} | {s.speaker for s in episode.sentences}:
        raise KeyError(old)
    names = {old: new}
    meta = episode.meta.model_copy(update={k: new if getattr(episode.meta, k) == old else getattr(episode.meta, k)
                                           for k in ("host", "guest")})
    sentences = [s.model_copy(update={"speaker": names.get(s.speaker, s.speaker)}) for s in episode.sentences]
    return episode.model_copy(update={"meta": meta, "sentences": sentences,
                                      "transcript": rename_speakers(episode.transcript, names)})
