"""Read every file in tests/fixtures/real and print what cxinsight made of it (one row per file).

    python bench/real_files.py [--json]

Run it against two checkouts (PYTHONPATH=OLD_CHECKOUT python bench/real_files.py --json) to compare
readers before and after a change: status, segments, speakers, first cue time, words, warnings.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REAL = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "real"


def describe(path: Path) -> dict:
    from cxinsight.errors import CxError

    try:
        if path.parent.name == "feeds":
            from cxinsight.sources.feed import read_feed

            items = read_feed(str(path), Path("/tmp/cxinsight-real-files-media"))
            return {"status": "ok", "items": len(items),
                    "chosen": [Path(i.url).name if i.url else f"error: {i.error[:40]}" for i in items][:3]}
        from cxinsight.sources import read_transcript

        t = read_transcript(path)
        return {"status": "ok", "segments": len(t.segments), "words": sum(len(s.text.split()) for s in t.segments),
                "speakers": sorted({s.speaker for s in t.segments if s.speaker})[:4],
                "first": [t.segments[0].start, t.segments[0].end] if t.segments else None,
                "text": t.segments[0].text[:40] if t.segments else "",
                "warnings": len(getattr(t, "warnings", []) or [])}
    except CxError as exc:
        return {"status": "error", "error": str(exc).split(": ", 1)[-1][:70]}
    except Exception as exc:  # a crash is a finding too
        return {"status": "crash", "error": f"{exc.__class__.__name__}: {exc}"[:70]}


def main() -> None:
    rows = {str(p.relative_to(REAL)): describe(p) for p in sorted(REAL.rglob("*"))
            if p.is_file() and p.suffix not in (".md",) and p.name != "SOURCES.json"}
    if "--json" in sys.argv:
        print(json.dumps(rows, ensure_ascii=False))
        return
    for name, row in rows.items():
        print(f"{name:60} {json.dumps(row, ensure_ascii=False)[:150]}")


if __name__ == "__main__":
    main()
