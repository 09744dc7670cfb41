"""Find input files under the paths a user names."""

from __future__ import annotations

from pathlib import Path

SUPPORTED_TRANSCRIPTS = {".txt", ".srt", ".vtt", ".sbv", ".json", ".json3", ".html", ".htm", ".docx", ".md", ".markdown"}
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


def _source_of_sidecar(path: Path) -> list[Path]:
    """The files NAME.yaml / NAME.yml / NAME.meta.json / NAME.json could be the metadata of."""
    name = path.name
    if name.lower().endswith(".meta.json"):
        stem = name[: -len(".meta.json")]
    elif path.suffix.lower() in SIDECAR_EXTENSIONS | {".json"}:
        stem = path.stem
    else:
        return []
    return [path.with_name(stem + ext) for ext in (SUPPORTED_TRANSCRIPTS | AUDIO_EXTENSIONS) - {".json"}]


def discover(paths: list[Path]) -> list[Path]:
    """Expand folders recursively; keep named files as given so bad ones are reported, not skipped. A named
    sidecar whose transcript or audio is in the batch too (`ingest show/ep1.*`) is read as its metadata."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            # a broken link is listed too, so that it fails with its reason rather than vanish from the batch
            for child in sorted(p for p in path.rglob("*") if p.is_file() or p.is_symlink() and not p.exists()):
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
    named = {str(p.resolve()) for p in unique if p.exists()}
    return [p for p in unique if not any(str(s.resolve()) in named for s in _source_of_sidecar(p) if s.exists())]


def passed_over(paths: list[Path]) -> list[Path]:
    """Files inside the named folders that are neither an input nor metadata (notes.csv, cover.png): named in a
    line of the ingest output, so nothing is left out without a word. Hidden files and folders are not counted."""
    taken = {p.resolve() for p in discover(paths)}
    out = []
    for folder in (Path(p) for p in paths if Path(p).is_dir()):
        for child in sorted(p for p in folder.rglob("*") if p.is_file()):
            if any(part.startswith(".") for part in child.relative_to(folder).parts) or child.resolve() in taken:
                continue
            if child.suffix.lower() in SIDECAR_EXTENSIONS or child.suffix.lower() == ".json" and _is_sidecar_json(child):
                continue
            out.append(child)
    return out
