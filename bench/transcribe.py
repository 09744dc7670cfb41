"""Transcription benchmark: real-time factor, WER and peak memory per engine setting.

    python bench/transcribe.py [--seconds 180] [--only faster-whisper]

Each setting runs in its own process (so peak RSS is that setting's alone), on
  - the synthesized two-voice interview (corpus/audio, `make audio`), cut to --seconds;
  - real human speech: the LibriVox clips of Debian's pocketsphinx-testdata.
openai-whisper fp32 beam 5 is the baseline; "speed" is its RTF divided by each row's
(higher is faster). Figures vary with machine load: compare rows of one run.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
INTERVIEW = ROOT / "corpus" / "audio" / "01-brightwater-cleanup.mp3"
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
SETTINGS = [  # engine, compute type, beam, batch (faster-whisper windows decoded at once; 1 = in order)
    ("openai-whisper", "float32", 5, 1),
    ("openai-whisper", "float32", 1, 1),
    ("faster-whisper", "int8", 5, 8),
    ("faster-whisper", "int8", 5, 1),
    ("faster-whisper", "int8", 1, 8),
    ("faster-whisper", "float32", 5, 8),
]

WORKER = """
import json, resource, sys, time
from cxinsight.transcribe.engine import EngineOptions
from cxinsight.transcribe.transcriber import Transcriber
engine, compute, beam, batch, *paths = sys.argv[1:]
started = time.perf_counter()
t = Transcriber(EngineOptions(engine=engine, compute_type=compute, beam_size=int(beam), batch_size=int(batch)))
t.engine
load = time.perf_counter() - started
out = []
for path in paths:
    started = time.perf_counter()
    r = t.transcribe(path)
    out.append({"seconds": time.perf_counter() - started, "audio": r.audio_seconds,
                "text": " ".join(s.text for s in r.transcript.segments)})
print(json.dumps({"load": load, "files": out, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _excerpt(seconds: float, folder: Path) -> tuple[Path, str]:
    """The first `seconds` of the interview as WAV, and the words spoken in that time (from turns.csv)."""
    from cxinsight.transcribe.audio import load_audio

    samples = load_audio(INTERVIEW)[: int(seconds * 16000)]
    target = folder / "interview.wav"
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(16000)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    with open(INTERVIEW.with_name(f"{INTERVIEW.stem}.turns.csv"), encoding="utf-8") as handle:
        turns = [t for t in csv.DictReader(handle) if float(t["end"]) <= seconds]
    cut = len(samples) / 16000
    return target, " ".join(t["text"] for t in turns if float(t["end"]) <= cut)


def _librivox() -> tuple[list[Path], list[str]]:
    paths, refs = [], []
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        match = re.match(r"<s> (.*) </s> \((.*)\)", line)
        paths.append(LIBRIVOX / f"{match.group(2)}.wav")
        refs.append(match.group(1))
    return paths, refs


def _wer(refs: list[str], hyps: list[str]) -> float:
    import jiwer
    from whisper.normalizers import EnglishTextNormalizer

    norm = EnglishTextNormalizer()
    return jiwer.wer([norm(r) for r in refs], [norm(h) for h in hyps])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=180.0, help="length of the interview excerpt")
    parser.add_argument("--only", help="run only settings of this engine")
    args = parser.parse_args()
    if not INTERVIEW.exists():
        print(f"{INTERVIEW} is missing: run `make audio` first", file=sys.stderr)
        return 1
    settings = [s for s in SETTINGS if not args.only or s[0] == args.only]
    lib_paths, lib_refs = _librivox()
    with tempfile.TemporaryDirectory() as tmp:
        excerpt, script = _excerpt(args.seconds, Path(tmp))
        rows = []
        for engine, compute, beam, batch in settings:
            done = subprocess.run([sys.executable, "-c", WORKER, engine, compute, str(beam), str(batch), str(excerpt),
                                   *map(str, lib_paths)],
                                  capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            interview, clips = result["files"][0], result["files"][1:]
            rows.append({
                "setting": f"{engine} {compute} beam {beam}" + (f" batch {batch}" if engine == "faster-whisper" else ""),
                "load_s": result["load"],
                "rtf": interview["seconds"] / interview["audio"],
                "wer": _wer([script], [interview["text"]]),
                "lib_rtf": sum(c["seconds"] for c in clips) / sum(c["audio"] for c in clips),
                "lib_wer": _wer(lib_refs, [c["text"] for c in clips]),
                "rss_mb": result["rss_mb"],
            })
            print(f"  done: {rows[-1]['setting']}", file=sys.stderr, flush=True)
    base = rows[0]["rtf"] if rows[0]["setting"].startswith("openai-whisper float32 beam 5") else None
    print(f"\nTranscription, tiny.en: {args.seconds:.0f} s of the synthesized interview; "
          f"real = {len(lib_paths)} LibriVox clips (human speech, 25 s)")
    header = f"{'setting':<40} {'load s':>6} {'RTF':>6} {'speed':>6} {'WER':>6} {'real RTF':>8} {'real WER':>8} {'peak MB':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        speed = f"{base / r['rtf']:.2f}x" if base else "-"
        print(f"{r['setting']:<40} {r['load_s']:>6.1f} {r['rtf']:>6.3f} {speed:>6} {r['wer']:>6.3f} "
              f"{r['lib_rtf']:>8.3f} {r['lib_wer']:>8.3f} {r['rss_mb']:>8.0f}")
    print("\nRTF = processing seconds / audio seconds (model load excluded); speed = baseline RTF / RTF;"
          "\nWER after Whisper's English normalizer; real = LibriVox human speech.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
