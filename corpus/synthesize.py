"""Synthesize sample interviews as two-voice audio with festival, offline.

    python corpus/synthesize.py corpus/episodes/01-brightwater-cleanup.txt --out corpus/audio

For each transcript it writes NAME.mp3 (or --ext), a copy of the metadata
sidecar, and NAME.turns.csv: who speaks when (speaker, start, end, text), the
answer key tests use to check that citations point at the right moment.
The host and the guest get two distinct festival voices (a male diphone voice
and a female HTS voice, Debian festvox-kallpc16k and festvox-us-slt-hts) so that
speaker diarization can tell them apart; espeak-ng's voices sound alike to a
speaker encoder. Turns are separated by pauses.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

from cxinsight.transcribe.encode import write_audio

RATE = 16000
# host, guest: festival voice procedures from festvox-kallpc16k and festvox-us-slt-hts
VOICES = ("voice_kal_diphone", "voice_cmu_us_slt_arctic_hts")
PAUSE_SECONDS = 0.7


def _speak(text: str, voice: str) -> np.ndarray:
    """festival's text2wave to 16 kHz float samples; the text goes through a file, never a shell."""
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "turn.txt", Path(tmp) / "turn.wav"
        source.write_text(text, encoding="utf-8")
        subprocess.run(["text2wave", "-eval", f"({voice})", "-o", str(target), str(source)],
                       capture_output=True, check=True)
        with wave.open(str(target)) as wav:
            rate = wav.getframerate()
            pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16).astype(np.float32) / 32768
    # linear resampling is plenty for synthetic speech (the HTS voice speaks at 32 kHz)
    positions = np.arange(0, len(pcm) * RATE / rate) * rate / RATE
    return np.interp(positions, np.arange(len(pcm)), pcm).astype(np.float32)


def _turns(path: Path) -> list[tuple[str, str]]:
    from cxinsight.sources import read_transcript

    turns: list[tuple[str, str]] = []
    for seg in read_transcript(path).segments:
        if turns and turns[-1][0] == seg.speaker:
            turns[-1] = (seg.speaker, f"{turns[-1][1]} {seg.text}")
        else:
            turns.append((seg.speaker, seg.text))
    return turns


def synthesize(source: Path, out_dir: Path, ext: str = ".mp3", max_turns: int = 0, name: str = "") -> Path:
    turns = _turns(source)[: max_turns or None]
    host = turns[0][0]
    pieces, rows, at = [], [], 0.0
    for speaker, text in turns:
        speech = _speak(text, VOICES[0] if speaker == host else VOICES[1])
        rows.append({"speaker": speaker, "start": round(at, 2), "end": round(at + len(speech) / RATE, 2), "text": text})
        pieces += [speech, np.zeros(int(PAUSE_SECONDS * RATE), np.float32)]
        at += len(speech) / RATE + PAUSE_SECONDS
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = name or source.stem
    target = out_dir / f"{stem}{ext}"
    # speech at 48 kbps: small files, plenty for Whisper
    write_audio(target, np.concatenate(pieces), RATE, bit_rate=48000 if ext in (".mp3", ".m4a") else None)
    sidecar = source.with_suffix(".yaml")
    if sidecar.exists():
        shutil.copyfile(sidecar, out_dir / f"{stem}.yaml")
    with open(out_dir / f"{stem}.turns.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["speaker", "start", "end", "text"])
        writer.writeheader()
        writer.writerows(rows)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", nargs="+", type=Path, help="transcripts with speaker names (txt, srt, vtt)")
    parser.add_argument("--out", type=Path, default=Path("corpus/audio"))
    parser.add_argument("--ext", default=".mp3", choices=[".mp3", ".m4a", ".wav", ".flac", ".ogg"])
    parser.add_argument("--max-turns", type=int, default=0, help="only the first N turns (0: all)")
    args = parser.parse_args(argv)
    if shutil.which("text2wave") is None:
        print("festival is not installed (apt-get install festival festvox-kallpc16k festvox-us-slt-hts; "
              "`make install` does this)", file=sys.stderr)
        return 1
    for source in args.sources:
        target = synthesize(source, args.out, args.ext, args.max_turns)
        print(f"{target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
