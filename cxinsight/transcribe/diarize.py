"""Who speaks when: speaker diarization of a Whisper transcript, offline, on CPU.

The unit is a phrase: Whisper's words grouped between pauses and sentence ends.
People rarely hand over mid-phrase, and a phrase gives the voice encoder a second
or more of one voice. Each phrase is embedded with Resemblyzer's bundled voice
encoder (weights ship in its wheel; run with ONNX Runtime, voice_model.py), phrases are clustered (agglomerative,
cosine, average linkage), and every word takes its phrase's voice; a Whisper
segment that spans a change of voice is split at the words, so a quote never
mixes two people. Audio is read in chunks, so memory stays flat with length.

Voices come out as "Speaker 1", "Speaker 2", … in order of first appearance;
voices.py maps them onto the episode's host and guest names.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from cxinsight.models import Segment, Transcript, Word
from cxinsight.transcribe.audio import SAMPLE_RATE, read_pcm16, stream_audio
from cxinsight.transcribe.voice_features import HOP, PARTIAL_FRAMES, louder, mel_frames, partial_starts

log = logging.getLogger(__name__)

PHRASE_PAUSE = 0.3  # seconds of silence between words that end a phrase
PHRASE_MAX = 6.0  # longer stretches of unbroken speech are cut, so one phrase never holds a long span
MIN_CLUSTER_PHRASE = 1.0  # only phrases this long decide the voices; shorter ones join the nearest
SAME_VOICE_DISTANCE = 0.35  # cosine distance below which two groups of phrases are one voice (tuned on corpus audio)
MIN_VOICE_SECONDS = 4.0  # a "voice" with less talk time than this is noise: its phrases join the nearest voice
PARTIALS_PER_BATCH = 256  # 1.6 s spectrograms per encoder call (about 25 MB of input)
MAX_PARTIALS = 64  # per phrase (in effect no cap: fewer partials per phrase made the 3-voice count unstable)
PARTIALS_PER_SECOND = 0.7  # 1.6 s partials barely overlapping (Resemblyzer defaults to 1.3): half the encoder time
MAX_CLUSTERED = 1500  # phrases clustered directly; beyond, an even sample decides and the rest join the nearest
SENTENCE_END = (".", "?", "!")
DIARIZER = "resemblyzer1"  # in the cache key: a change of method re-diarizes (never re-transcribes)


@dataclass
class Phrase:
    start: float
    end: float
    words: list[tuple[int, int]]  # (segment index, word index); word index -1 stands for a segment without words
    embedding: np.ndarray | None = None

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class Diarization:
    transcript: Transcript  # segments split at changes of voice, speaker "Speaker N"
    voices: list[str] = field(default_factory=list)
    warning: str = ""  # one line when the number of voices is uncertain


_ENCODER = None


def voice_encoder():
    """The voice encoder, loaded once per process (Resemblyzer's bundled weights, run by ONNX Runtime;
    ImportError when resemblyzer is missing and the model was never exported)."""
    global _ENCODER
    if _ENCODER is None:
        from cxinsight.transcribe.voice_model import VoiceModel

        _ENCODER = VoiceModel()
    return _ENCODER


def phrases_of(transcript: Transcript) -> list[Phrase]:
    """Words grouped between pauses and sentence ends (a segment without word times is one phrase)."""
    phrases: list[Phrase] = []
    current: Phrase | None = None
    for s, seg in enumerate(transcript.segments):
        units = [(w, i) for i, w in enumerate(seg.words)] if seg.words else [(Word(text=seg.text, start=seg.start, end=seg.end), -1)]
        for word, i in units:
            if current is None or word.start - current.end >= PHRASE_PAUSE or word.end - current.start > PHRASE_MAX:
                current = Phrase(word.start, word.end, [])
                phrases.append(current)
            current.words.append((s, i))
            current.end = max(current.end, word.end)
            if i == -1 or word.text.rstrip("\"')").endswith(SENTENCE_END):
                current = None
    return phrases


def embed_phrases(path: Path, phrases: list[Phrase], decoded: Path | None = None) -> None:
    """One voice embedding per phrase: the normalised mean of its 1.6 s partials, as Resemblyzer's
    embed_utterance computes it, with partials from many phrases going through the encoder as one
    batch (several times faster on CPU than one call per phrase). `decoded` is the transcriber's
    16-bit PCM spool of the same audio; without it the file is decoded again, a chunk at a time.
    """
    encoder = voice_encoder()
    batch: list[tuple[Phrase, np.ndarray]] = []
    for phrase, wav in _spooled_speech(decoded, phrases) if decoded else _streamed_speech(path, phrases):
        if len(wav) < SAMPLE_RATE // 4:  # under a quarter second: too little voice to say anything
            continue
        wav = louder(wav.astype(np.float32))
        starts = partial_starts(len(wav), PARTIALS_PER_SECOND)
        wav = np.pad(wav, (0, max(0, (starts[-1] + PARTIAL_FRAMES) * HOP - len(wav))))
        mel = mel_frames(wav, encoder.mel_filters)
        if len(starts) > MAX_PARTIALS:  # evenly spaced: the encoder's time grows with partials, not phrases
            starts = [starts[round(i * (len(starts) - 1) / (MAX_PARTIALS - 1))] for i in range(MAX_PARTIALS)]
        batch += [(phrase, mel[s : s + PARTIAL_FRAMES]) for s in starts]
        if len(batch) >= PARTIALS_PER_BATCH:
            _embed_batch(encoder, batch[:PARTIALS_PER_BATCH])
            batch = batch[PARTIALS_PER_BATCH:]
    if batch:
        _embed_batch(encoder, batch)
    for phrase in phrases:
        if phrase.embedding is not None:
            phrase.embedding = phrase.embedding / np.linalg.norm(phrase.embedding)


def _streamed_speech(path: Path, phrases: list[Phrase]) -> Iterator[tuple[Phrase, np.ndarray]]:
    """Each phrase's samples, decoding the file a chunk at a time (a phrase is cut at its chunk's end)."""
    pending = sorted(phrases, key=lambda p: p.start)
    at = 0
    for chunk in stream_audio(path):
        chunk_end = chunk.offset + chunk.duration
        while at < len(pending) and (pending[at].start + pending[at].end) / 2 < chunk_end:
            phrase = pending[at]
            at += 1
            a = max(0, int((phrase.start - chunk.offset) * SAMPLE_RATE))
            b = min(len(chunk.samples), int((phrase.end - chunk.offset) * SAMPLE_RATE))
            yield phrase, chunk.samples[a:b]


def _spooled_speech(decoded: Path, phrases: list[Phrase]) -> Iterator[tuple[Phrase, np.ndarray]]:
    with open(decoded, "rb") as handle:
        for phrase in sorted(phrases, key=lambda p: p.start):
            yield phrase, read_pcm16(handle, phrase.start, phrase.end)


def _embed_batch(encoder, batch: list[tuple[Phrase, np.ndarray]]) -> None:
    """Partials through the encoder at once; each phrase sums its own (normalised at the end)."""
    vectors = encoder(np.stack([mel for _, mel in batch]))
    for (phrase, _), vector in zip(batch, vectors):
        phrase.embedding = vector if phrase.embedding is None else phrase.embedding + vector


def _clusters(vectors: np.ndarray, weights: np.ndarray, count: int | None) -> np.ndarray:
    """Centroids (unit vectors) of the voices among the phrase vectors."""
    from sklearn.cluster import AgglomerativeClustering

    if len(vectors) == 1 or count == 1:
        centroid = (vectors * weights[:, None]).sum(axis=0)
        return (centroid / np.linalg.norm(centroid))[None, :]
    if count:
        count = min(count, len(vectors))
    model = AgglomerativeClustering(
        n_clusters=count, metric="cosine", linkage="average",
        distance_threshold=None if count else SAME_VOICE_DISTANCE,
    )
    labels = model.fit_predict(vectors)
    centroids = []
    for label in range(labels.max() + 1):
        members = labels == label
        centroid = (vectors[members] * weights[members, None]).sum(axis=0)
        centroids.append(centroid / np.linalg.norm(centroid))
    return np.array(centroids)


def _assign(phrases: list[Phrase], centroids: np.ndarray) -> list[int]:
    """Nearest voice for every phrase; a phrase without an embedding takes its neighbour's."""
    labels: list[int] = []
    for phrase in phrases:
        if phrase.embedding is None:
            labels.append(-1)
        else:
            labels.append(int(np.argmax(centroids @ phrase.embedding)))
    for i, label in enumerate(labels):  # too short to embed: the voice just before (or after) it
        if label == -1:
            labels[i] = next((labels[j] for j in range(i - 1, -1, -1) if labels[j] != -1),
                             next((lab for lab in labels[i + 1:] if lab != -1), 0))
    return labels


def find_voices(phrases: list[Phrase], count: int | None = None) -> tuple[list[int], str]:
    """A voice number per phrase, and a warning when the count is uncertain."""
    usable = [p for p in phrases if p.embedding is not None and p.seconds >= MIN_CLUSTER_PHRASE]
    if not usable:
        usable = [p for p in phrases if p.embedding is not None]
    if not usable:
        return [0] * len(phrases), "too little speech to tell voices apart; all of it is one speaker"
    if len(usable) > MAX_CLUSTERED:  # an even sample keeps memory flat (the distance matrix grows with n²)
        usable = [usable[int(i * len(usable) / MAX_CLUSTERED)] for i in range(MAX_CLUSTERED)]
    vectors = np.array([p.embedding for p in usable])
    weights = np.array([p.seconds for p in usable])
    centroids = _clusters(vectors, weights, count)
    labels = _assign(phrases, centroids)
    warning = ""
    if not count:  # voices with almost no talk time are noise: their phrases join the nearest real voice
        talk = np.zeros(len(centroids))
        for phrase, label in zip(phrases, labels):
            talk[label] += phrase.seconds
        # a voice needs a few seconds of talk to stand alone: a few short clips of one person recorded apart
        # can form a second small group just past SAME_VOICE_DISTANCE (seen on the 3-voice composite)
        keep = [v for v in range(len(centroids)) if talk[v] >= MIN_VOICE_SECONDS] or [int(np.argmax(talk))]
        if len(keep) < len(centroids):
            labels = _assign(phrases, centroids[keep])
        if sum(p.seconds for p in usable) < 20 and len(keep) == 1:
            warning = "under 20 s of speech: the number of speakers is uncertain (use --speakers N)"
    return labels, warning


def split_by_voice(transcript: Transcript, phrases: list[Phrase], labels: list[int]) -> tuple[Transcript, list[str]]:
    """Segments cut wherever the voice changes, each named "Speaker N" in order of first appearance."""
    voice_of: dict[tuple[int, int], int] = {}
    for phrase, label in zip(phrases, labels):
        for key in phrase.words:
            voice_of[key] = label
    names: dict[int, str] = {}

    def name(label: int) -> str:
        return names.setdefault(label, f"Speaker {len(names) + 1}")

    segments: list[Segment] = []
    for s, seg in enumerate(transcript.segments):
        if not seg.words:
            segments.append(seg.model_copy(update={"speaker": name(voice_of.get((s, -1), 0))}))
            continue
        runs: list[tuple[int, list[Word]]] = []
        for i, word in enumerate(seg.words):
            voice = voice_of.get((s, i), runs[-1][0] if runs else 0)
            if runs and runs[-1][0] == voice:
                runs[-1][1].append(word)
            else:
                runs.append((voice, [word]))
        if len(runs) == 1:  # one voice: the segment stays as Whisper wrote it
            segments.append(seg.model_copy(update={"speaker": name(runs[0][0])}))
            continue
        segments.extend(_piece(words, name(voice)) for voice, words in runs)
    update = {"segments": segments}
    return transcript.model_copy(update=update), list(names.values())


def _piece(words: list[Word], speaker: str) -> Segment:
    return Segment(start=words[0].start, end=words[-1].end, text=" ".join(w.text for w in words),
                   speaker=speaker, words=list(words))


def diarize(path: Path, transcript: Transcript, speakers: int | None = None, decoded: Path | None = None) -> Diarization:
    """Label every word of `transcript` (made from the audio at `path`) with its voice; `decoded`, the
    transcriber's PCM spool of that audio, saves decoding it again."""
    phrases = phrases_of(transcript)
    if not phrases:
        return Diarization(transcript)
    try:
        voice_encoder()
    except ImportError as exc:  # a plain `pip install cxinsight` lacks it (see pyproject.toml): say so, go on
        note = f"speakers not labelled: the voice encoder is missing ({exc}); pip install --no-deps resemblyzer==0.1.4"
        return Diarization(transcript.model_copy(update={"speaker_note": note}), [], note)
    embed_phrases(Path(path), phrases, decoded)
    labels, warning = find_voices(phrases, speakers)
    labelled, voices = split_by_voice(transcript, phrases, labels)
    labelled.speaker_note = warning
    return Diarization(labelled, voices, warning)
