"""Synthetic archive for scale benchmarks: episodes recombined from the sample corpus's sentences.

Each episode alternates a host question (1-2 host sentences) with a guest answer (2-7 guest
sentences) drawn at random from all corpus episodes, so passages are new combinations while
every sentence is real interview prose. Written as cxinsight JSON transcripts with sidecars.

    python bench/synth_archive.py OUT_DIR --episodes 1000 --sentences 300
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUESTS = ["Amara Quist", "Tomasz Velde", "Ines Harrow", "Kofi Brandt", "Lena Moreau", "Rafael Ostrom", "Yuki Tan",
          "Dara Whelan", "Nikhil Sethi", "Beatriz Lund"]
ORGS = ["Northwind Telecom", "Bluefin Insurance", "Cedar Health", "Orbit Airlines", "Maple Grocers", "Vantage Bank"]


def sentence_pool() -> tuple[list[str], list[str]]:
    """(host sentences, guest sentences) from every sample episode."""
    from cxinsight.sources import read_metadata, read_transcript
    from cxinsight.text.sentences import split_sentences

    host, guest = [], []
    for path in sorted((ROOT / "corpus" / "episodes").glob("*")):
        if path.suffix not in (".txt", ".srt", ".vtt"):
            continue
        transcript = read_transcript(path)
        meta = read_metadata(path, transcript, None)
        for s in split_sentences(transcript, "x"):
            (host if s.speaker == meta.host else guest).append(s.text)
    return host, guest


def episode(number: int, host: list[str], guest: list[str], sentences: int) -> tuple[dict, dict]:
    rng = random.Random(number)
    guest_name, org = rng.choice(GUESTS), rng.choice(ORGS)
    segments, clock = [], 0.0
    while sum(len(s["text"].split(". ")) for s in segments) < sentences:
        for speaker, pool, count in (("Host Person", host, rng.randint(1, 2)), (guest_name, guest, rng.randint(2, 7))):
            for text in rng.sample(pool, count):
                seconds = max(1.5, len(text.split()) / 2.5)
                segments.append({"start": round(clock, 2), "end": round(clock + seconds, 2), "speaker": speaker, "text": text})
                clock += seconds + 0.4
    meta = {"title": f"Synthetic episode {number:04d} with {org}", "show": "Scale Test Show", "guest": guest_name,
            "host": "Host Person", "organisation": org, "date": f"2025-{1 + number % 12:02d}-{1 + number % 28:02d}"}
    return {"segments": segments}, meta


def write_archive(out: Path, episodes: int, sentences: int) -> list[Path]:
    import yaml

    out.mkdir(parents=True, exist_ok=True)
    host, guest = sentence_pool()
    paths = []
    for number in range(episodes):
        path = out / f"synthetic-{number:04d}.json"
        if not path.exists():
            transcript, meta = episode(number, host, guest, sentences)
            path.with_suffix(".yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
            path.write_text(json.dumps(transcript), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--sentences", type=int, default=300)
    args = parser.parse_args()
    print(f"wrote {len(write_archive(args.out, args.episodes, args.sentences))} episodes to {args.out}")
