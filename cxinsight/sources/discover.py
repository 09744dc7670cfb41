"""Find input files under the paths a user names."""

from __future__ import annotations

from pathlib import Path

SUPPORTED_TRANSCRIPTS = {".txt", ".srt", ".vtt", ".json", ".html", ".htm"}
AUDIO_EXTENSIONS = {".wav", ".mp3", ".m4a", ".flac", ".ogg", ".opus", ".mp4", ".mkv", ".webm", ".mov"}
SIDECAR_EXTENSIONS = {".yaml", ".yml"}


def is_audio(path: Path) -> bool:
    return Path(path).suffix.lower() in AUDIO_EXTENSIONS


def _is_sidecar_json(path: Path) -> bool:
    """NAME.json beside a NAME.txt/.srt/.vtt/audio file is that file's metadata, not a transcript."""
    if path.name.endswith(".meta.json"):
        return True
    return any(
        path.with_suffix(ext).exists() for ext in (SUPPORTED_TRANSCRIPTS | AUDIO_EXTENSIONS) - {".json"}
    )


def discover(paths: list[Path]) -> list[Path]:
    """Expand folders recursively; keep named files as given so bad ones are reported, not skipped."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                ext = child.suffix.lower()
                if ext in AUDIO_EXTENSIONS or (ext in SUPPORTED_TRANSCRIPTS and not (ext == ".json" and _is_sidecar_json(child))):
                    found.append(child)
        else:
            found.append(path)
    seen, unique = set(), []
    for path in found:
        key = str(path.resolve()) if path.exists() else str(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique
