"""Benchmark: end-to-end ingest of long audio (RTF and peak memory), 10 minutes vs 1, 2 and 4 hours,
with and without speaker diarization, and the diarization's word-level accuracy.

The long episodes are the sample interviews synthesized with festival (host and guest in two
voices) and joined end to end; their turns.csv files, shifted, are the answer key (host or guest).
Each ingest runs as a fresh process into a fresh store (model loads included); peak RSS is
the process's own high-water mark. The run without diarization reuses nothing from the other.
Prints a table; nothing is asserted.

    python bench/long_audio.py [--lengths 10,60,120,240] [--diarized-only] [--work bench/.work]
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


def interview_samples(work: Path) -> list[tuple[np.ndarray, list[tuple[str, float, float]]]]:
    """The eight sample interviews as 16 kHz speech with their turns as (role, start, end) (synthesized once)."""
    import csv

    from cxinsight.transcribe.audio import load_audio

    folder = work / "interviews-festival"
    folder.mkdir(parents=True, exist_ok=True)
    clips = []
    for source in sorted((ROOT / "corpus" / "episodes").glob("0*")):
        if source.suffix not in (".txt", ".srt", ".vtt"):
            continue
        target = folder / f"{source.stem}.mp3"
        if not target.exists():
            subprocess.run([sys.executable, str(ROOT / "corpus" / "synthesize.py"), str(source), "--out", str(folder),
                            "--ext", ".mp3"], check=True, capture_output=True)
        with open(target.with_name(f"{source.stem}.turns.csv"), encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        turns = [("host" if r["speaker"] == rows[0]["speaker"] else "guest", float(r["start"]), float(r["end"])) for r in rows]
        clips.append((load_audio(target), turns))
    return clips


def long_episode(work: Path, minutes: int, clips) -> tuple[Path, list[tuple[str, float, float]]]:
    """Interviews joined (repeating as needed) and cut to `minutes`, as one MP3, with the joined answer key."""
    from cxinsight.transcribe.encode import write_audio

    target = work / f"joined-{minutes}min-festival.mp3"
    need = minutes * 60 * RATE
    parts, turns, have, i = [], [], 0, 0
    while have < need:
        samples, clip_turns = clips[i % len(clips)]
        parts.append(samples[: need - have])
        offset = have / RATE
        turns += [(who, a + offset, b + offset) for who, a, b in clip_turns if a + offset < need / RATE]
        have += len(parts[-1])
        i += 1
    if not target.exists():
        write_audio(target, np.concatenate(parts), RATE)
    return target, turns


def speaker_accuracy(store: Path, episode_id: str, turns) -> float:
    """Share of words whose voice is right (each voice mapped to the role it mostly covers)."""
    from collections import Counter

    from cxinsight.embed import MODEL_NAME
    from cxinsight.store.archive import Archive

    archive = Archive(store, MODEL_NAME)
    episode, _ = archive.load_episode(episode_id)
    archive.close()
    starts = np.array([t[1] for t in turns])
    pairs = []
    for seg in episode.transcript.segments:
        for w in seg.words or []:
            mid = (w.start + w.end) / 2
            k = max(0, int(np.searchsorted(starts, mid)) - 1)
            near = min(turns[k : k + 2], key=lambda t: 0 if t[1] <= mid <= t[2] else min(abs(mid - t[1]), abs(mid - t[2])))
            pairs.append((seg.speaker, near[0]))
    mapping = {v: Counter(t for s, t in pairs if s == v).most_common(1)[0][0] for v in {s for s, _ in pairs}}
    return sum(mapping[v] == t for v, t in pairs) / max(1, len(pairs))


def measure_ingest(audio: Path, work: Path, *flags: str) -> tuple[dict, Path]:
    store = work / f"store-{audio.stem}{''.join(flags)}"
    shutil.rmtree(store, ignore_errors=True)
    cmd = [sys.executable, str(ROOT / "bench" / "peak_rss.py"), "--", sys.executable, "-m", "cxinsight", "--store", str(store),
           "ingest", str(audio), *flags]
    result = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    if result["returncode"] != 0:
        raise SystemExit(f"ingest of {audio.name} failed: {result['stderr_tail']}")
    return result, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lengths", default="10,60,120", help="episode lengths in minutes")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / ".work")
    parser.add_argument("--diarized-only", action="store_true",
                        help="skip the runs without diarization (the memory figures of issue 19 are with it)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    clips = interview_samples(args.work)
    rows = []
    for minutes in [int(m) for m in args.lengths.split(",")]:
        audio, turns = long_episode(args.work, minutes, clips)
        voiced, store = measure_ingest(audio, args.work)
        plain = {"wall_s": float("nan"), "cpu_s": float("nan"), "peak_rss_mb": float("nan")} if args.diarized_only \
            else measure_ingest(audio, args.work, "--no-diarize")[0]
        accuracy = speaker_accuracy(store, audio.stem, turns)
        rows.append({"minutes": minutes, "wall_plain": plain["wall_s"], "wall": voiced["wall_s"],
                     "cpu_plain": plain["cpu_s"], "cpu": voiced["cpu_s"],
                     "rss_plain": plain["peak_rss_mb"], "rss": voiced["peak_rss_mb"], "accuracy": accuracy})
        print(f"  {minutes} min: {plain['wall_s']:.0f} s ({plain['cpu_s']:.0f} CPU s) without diarization, "
              f"{voiced['wall_s']:.0f} s ({voiced['cpu_s']:.0f} CPU s) with; "
              f"peak {voiced['peak_rss_mb']:.0f} MB; speaker accuracy {accuracy:.3f}", file=sys.stderr)
    base = rows[0]
    print("\nEnd-to-end ingest of long audio (faster-whisper tiny.en int8, diarization, extraction, indexing; "
          "fresh process and store)")
    print(f"| audio | wall, no diarization | wall | CPU s, no diarization | CPU s | diarization adds (CPU) | RTF | "
          f"peak RSS (no diar.) | peak RSS | RSS vs {base['minutes']} min | word speaker accuracy |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    def cell(value: float, fmt: str, unit: str = "") -> str:
        return "—" if value != value else f"{value:{fmt}}{unit}"  # NaN: not measured (--diarized-only)

    for r in rows:
        print(f"| {r['minutes']} min | {cell(r['wall_plain'], '.0f', ' s')} | {r['wall']:.0f} s | {cell(r['cpu_plain'], '.0f')} | "
              f"{r['cpu']:.0f} | {cell(r['cpu'] / r['cpu_plain'] - 1, '+.1%')} | "
              f"{r['wall'] / (r['minutes'] * 60):.3f} | {cell(r['rss_plain'], '.0f', ' MB')} | {r['rss']:.0f} MB | "
              f"{r['rss'] / base['rss']:.2f}x | {r['accuracy']:.3f} |")
    (args.work / "long_audio.json").write_text(json.dumps(rows))


if __name__ == "__main__":
    main()
