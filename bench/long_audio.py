"""Benchmark: end-to-end ingest of long audio (RTF and peak memory), 10 minutes vs 60 minutes vs 2 hours.

The long episodes are the sample interviews synthesized with espeak-ng and joined end to end.
Each ingest runs as a fresh process into a fresh store (model loads included); peak RSS is
the process's own high-water mark. Prints a table; nothing is asserted.

    python bench/long_audio.py [--lengths 10,60,120] [--work bench/.work]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RATE = 16000


def interview_samples(work: Path) -> list[np.ndarray]:
    """The eight sample interviews as 16 kHz speech (synthesized once, then cached)."""
    from cxinsight.transcribe.audio import load_audio

    folder = work / "interviews"
    folder.mkdir(parents=True, exist_ok=True)
    clips = []
    for source in sorted((ROOT / "corpus" / "episodes").glob("0*")):
        if source.suffix not in (".txt", ".srt", ".vtt"):
            continue
        target = folder / f"{source.stem}.mp3"
        if not target.exists():
            subprocess.run([sys.executable, str(ROOT / "corpus" / "synthesize.py"), str(source), "--out", str(folder),
                            "--ext", ".mp3"], check=True, capture_output=True)
        clips.append(load_audio(target))
    return clips


def long_episode(work: Path, minutes: int, clips: list[np.ndarray]) -> Path:
    """Interviews joined (repeating as needed) and cut to `minutes`, as one MP3."""
    from cxinsight.transcribe.encode import write_audio

    target = work / f"joined-{minutes}min.mp3"
    if target.exists():
        return target
    need = minutes * 60 * RATE
    parts, have, i = [], 0, 0
    while have < need:
        clip = clips[i % len(clips)]
        parts.append(clip[: need - have])
        have += len(parts[-1])
        i += 1
    write_audio(target, np.concatenate(parts), RATE)
    return target


def measure_ingest(audio: Path, work: Path) -> dict:
    store = work / f"store-{audio.stem}"
    shutil.rmtree(store, ignore_errors=True)
    cmd = [sys.executable, str(ROOT / "bench" / "peak_rss.py"), "--", sys.executable, "-m", "cxinsight", "--store", str(store),
           "ingest", str(audio)]
    result = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    if result["returncode"] != 0:
        raise SystemExit(f"ingest of {audio.name} failed: {result['stderr_tail']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lengths", default="10,60,120", help="episode lengths in minutes")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / ".work")
    args = parser.parse_args()
    clips = interview_samples(args.work)
    rows = []
    for minutes in [int(m) for m in args.lengths.split(",")]:
        audio = long_episode(args.work, minutes, clips)
        result = measure_ingest(audio, args.work)
        rows.append((minutes, result["wall_s"], result["wall_s"] / (minutes * 60), result["peak_rss_mb"]))
        print(f"  {minutes} min: {result['wall_s']:.0f} s, peak {result['peak_rss_mb']:.0f} MB", file=sys.stderr)
    base = rows[0]
    print("\nEnd-to-end ingest of long audio (faster-whisper tiny.en int8, extraction, indexing; fresh process and store)")
    print(f"| audio | wall | RTF | peak RSS | RSS vs {base[0]} min |")
    print("|---|---|---|---|---|")
    for minutes, wall, rtf, rss in rows:
        print(f"| {minutes} min | {wall:.0f} s | {rtf:.3f} | {rss:.0f} MB | {rss / base[3]:.2f}x |")
    (args.work / "long_audio.json").write_text(json.dumps(rows))


if __name__ == "__main__":
    main()
