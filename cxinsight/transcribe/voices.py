"""Names, not numbers: diarized voices ("Speaker 1", …) mapped onto the episode's own names.

The episode's metadata (sidecar, manifest or feed) says who the host and the guest
are; the audio says who asks the questions, who opens and closes, and who talks
most. The host is the voice that asks most and opens or closes the show; the
guest (or guests, in talk-time order) are the voices that speak most among the
rest. Voices left over stay "Speaker N". A user's corrections (`cxinsight
speakers --rename`) are applied last.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxinsight.models import Transcript
from cxinsight.text.people import NUMBERED_VOICE, full_names, is_role, is_unnamed, names_in



@dataclass
class VoiceStats:
    name: str
    seconds: float = 0.0
    words: int = 0
    questions: int = 0
    first: float = 0.0
    last: float = 0.0


def voice_stats(transcript: Transcript) -> list[VoiceStats]:
    """Talk time, words and questions per speaker, in order of first appearance."""
    stats: dict[str, VoiceStats] = {}
    for seg in transcript.segments:
        if not seg.speaker:
            continue
        entry = stats.setdefault(seg.speaker, VoiceStats(seg.speaker, first=seg.start))
        entry.seconds += max(0.0, seg.end - seg.start)
        words = seg.text.split()
        entry.words += len(words)
        entry.questions += sum(1 for w in words if w.rstrip("\"')").endswith("?"))
        entry.last = seg.end
    return list(stats.values())


def _host_voice(voices: list[VoiceStats]) -> VoiceStats:
    """The one who asks, opens and closes; among equals, the one who talks less."""
    total_q = sum(v.questions for v in voices) or 1
    total_w = sum(v.words for v in voices) or 1
    opener = min(voices, key=lambda v: v.first)
    closer = max(voices, key=lambda v: v.last)

    def score(v: VoiceStats) -> float:
        return 2 * v.questions / total_q + (v is opener) + 0.5 * (v is closer) - v.words / total_w

    return max(voices, key=score)


def voice_names(transcript: Transcript, host: str = "", guest: str = "") -> dict[str, str]:
    """{"Speaker 2": "Jane Doe", …} for the diarized voices that the metadata can name."""
    voices = [v for v in voice_stats(transcript) if NUMBERED_VOICE.match(v.name)]
    if not voices or not (host or guest):
        return {}
    guests = names_in(guest)
    if len(voices) == 1:  # one voice: a solo show is the host's, unless only a guest is known
        return {voices[0].name: host or guests[0]}
    host_voice = _host_voice(voices)
    names = {host_voice.name: host} if host else {}
    rest = sorted((v for v in voices if v is not host_voice), key=lambda v: -v.seconds)
    names.update({v.name: name for v, name in zip(rest, guests)})
    return names


def speaker_names(transcript: Transcript, host: str = "", guest: str = "") -> dict[str, str]:
    """Every label the metadata can name: diarized voices, and labels that are a short form of one of the
    episode's people ("DERVLA" in captions, "Leon" on a podcast; a Q&A's "Q" and "A") written as the metadata does, so quotes,
    `--speaker` and the tactic tables name one person one way."""
    labels = {seg.speaker for seg in transcript.segments if seg.speaker and (not is_unnamed(seg.speaker) or is_role(seg.speaker))}
    return {**full_names(sorted(labels), host, guest), **voice_names(transcript, host, guest)}


def rename_speakers(transcript: Transcript, names: dict[str, str]) -> Transcript:
    """The transcript with speakers renamed (segments and their text untouched)."""
    if not names:
        return transcript
    segments = [seg.model_copy(update={"speaker": names.get(seg.speaker, seg.speaker)}) for seg in transcript.segments]
    return transcript.model_copy(update={"segments": segments})


def parse_rename(text: str) -> tuple[str, str]:
    """"Speaker 3=Jane Doe" -> ("Speaker 3", "Jane Doe"); anything else is a ValueError with the reason."""
    old, sep, new = text.partition("=")
    if not sep or not old.strip() or not new.strip():
        raise ValueError(f"'{text}' is not OLD=NEW (for example \"Speaker 3=Jane Doe\")")
    return old.strip(), new.strip()
