"""Convert a CTranslate2 Whisper model.bin into an openai-whisper checkpoint.

The bundled weights are CTranslate2 directories; openai-whisper wants
`{"dims", "model_state_dict"}`. Layout facts (CTranslate2 binary version 6):
- self-attention Q, K, V are fused in one linear (rows in q, k, v order);
  cross-attention has Q alone and K, V fused;
- key projections have no bias in openai-whisper (CTranslate2 stores zeros);
- the output projection is an alias of the token embedding (tied);
- int8 weights carry a per-row `weight_scale` (w = q / scale);
- alignment heads for word timestamps are in config.json.
The result is cached, so conversion happens once per model.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
from pathlib import Path

import numpy as np

from cxinsight.util.cache import cache_dir

_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
CONVERTER_VERSION = "1"


def read_ct2_variables(path: Path) -> dict[str, np.ndarray]:
    """Parse model.bin into {name: array}; aliases resolved. bfloat16 is widened to float32."""
    buf = memoryview(Path(path).read_bytes())
    pos = 0

    def take(fmt: str):
        nonlocal pos
        value = struct.unpack_from(fmt, buf, pos)[0]
        pos += struct.calcsize(fmt)
        return value

    def text() -> str:
        nonlocal pos
        length = take("H")
        value = bytes(buf[pos : pos + length - 1]).decode("utf-8")
        pos += length
        return value

    version = take("I")
    if version < 5:
        raise ValueError(f"CTranslate2 model binary version {version} is too old to convert")
    text()  # spec name
    take("I")  # spec revision
    variables: dict[str, np.ndarray] = {}
    for _ in range(take("I")):
        name = text()
        shape = [take("I") for _ in range(take("B"))]
        dtype = _DTYPES[take("B")]
        nbytes = take("I")
        raw = buf[pos : pos + nbytes]
        pos += nbytes
        if dtype == "bfloat16":
            array = (np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            array = np.frombuffer(raw, dtype=np.dtype(dtype))
        variables[name] = array.reshape(shape)
    for _ in range(take("I")):
        alias, target = text(), text()
        variables[alias] = variables[target]
    return variables


def _weight(v: dict[str, np.ndarray], prefix: str) -> np.ndarray:
    weight = v[f"{prefix}/weight"]
    if weight.dtype == np.int8:
        scale = v[f"{prefix}/weight_scale"].astype(np.float32)
        return weight.astype(np.float32) / scale.reshape(-1, *([1] * (weight.ndim - 1)))
    return weight.astype(np.float32)


def _layer_count(v: dict, side: str) -> int:
    found = {int(m.group(1)) for k in v if (m := re.match(rf"{side}/layer_(\d+)/", k))}
    return max(found) + 1


def to_openai_state(v: dict[str, np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
    """Map CTranslate2 variables onto openai-whisper names; returns (dims, state)."""
    state: dict[str, np.ndarray] = {}

    def linear(dst: str, src: str, bias: bool = True) -> None:
        state[f"{dst}.weight"] = _weight(v, src)
        if bias:
            state[f"{dst}.bias"] = v[f"{src}/bias"].astype(np.float32)

    def norm(dst: str, src: str) -> None:
        state[f"{dst}.weight"] = v[f"{src}/gamma"].astype(np.float32)
        state[f"{dst}.bias"] = v[f"{src}/beta"].astype(np.float32)

    def split_qkv(dst: str, src: str, parts: tuple[str, ...]) -> None:
        weights = np.split(_weight(v, src), len(parts))
        biases = np.split(v[f"{src}/bias"].astype(np.float32), len(parts))
        for part, w, b in zip(parts, weights, biases):
            state[f"{dst}.{part}.weight"] = w
            if part != "key":  # openai-whisper's key projection has no bias; CTranslate2 stores zeros
                state[f"{dst}.{part}.bias"] = b

    def mlp_and_norms(dst: str, src: str) -> None:
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        split_qkv(f"{dst}.attn", f"{src}/self_attention/linear_0", ("query", "key", "value"))
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")

    n_audio_layer, n_text_layer = _layer_count(v, "encoder"), _layer_count(v, "decoder")
    for name in ("conv1", "conv2"):
        linear(f"encoder.{name}", f"encoder/{name}")
    state["encoder.positional_embedding"] = v["encoder/position_encodings/encodings"].astype(np.float32)
    for i in range(n_audio_layer):
        mlp_and_norms(f"encoder.blocks.{i}", f"encoder/layer_{i}")
    norm("encoder.ln_post", "encoder/layer_norm")

    state["decoder.token_embedding.weight"] = _weight(v, "decoder/embeddings")
    state["decoder.positional_embedding"] = v["decoder/position_encodings/encodings"].astype(np.float32)
    for i in range(n_text_layer):
        dst, src = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        mlp_and_norms(dst, src)
        norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
        split_qkv(f"{dst}.cross_attn", f"{src}/attention/linear_1", ("key", "value"))
        linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
    norm("decoder.ln", "decoder/layer_norm")

    conv1 = state["encoder.conv1.weight"]
    dims = {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(state["encoder.positional_embedding"].shape[0]),
        "n_audio_state": int(conv1.shape[0]),
        "n_audio_head": int(v["encoder/num_heads"]),
        "n_audio_layer": n_audio_layer,
        "n_vocab": int(state["decoder.token_embedding.weight"].shape[0]),
        "n_text_ctx": int(state["decoder.positional_embedding"].shape[0]),
        "n_text_state": int(state["decoder.token_embedding.weight"].shape[1]),
        "n_text_head": int(v["decoder/num_heads"]),
        "n_text_layer": n_text_layer,
    }
    return dims, state


def _cache_key(ct2_dir: Path) -> str:
    model_bin = Path(ct2_dir) / "model.bin"
    stat = model_bin.stat()
    ident = f"{model_bin.resolve()}:{stat.st_size}:{int(stat.st_mtime)}:{CONVERTER_VERSION}"
    return hashlib.sha1(ident.encode()).hexdigest()[:12]


def converted_checkpoint(ct2_dir: Path, name: str) -> Path:
    """Path of the openai-whisper checkpoint for a CTranslate2 folder, converting it once."""
    import torch

    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    target = cache_dir() / "models" / f"whisper-{safe}-openai-{_cache_key(ct2_dir)}.pt"
    if target.exists():
        return target
    dims, state = to_openai_state(read_ct2_variables(Path(ct2_dir) / "model.bin"))
    config = json.loads((Path(ct2_dir) / "config.json").read_text())
    checkpoint = {
        "dims": dims,
        # float16 halves the file; openai-whisper copies it into float32 parameters on load
        "model_state_dict": {k: torch.from_numpy(np.ascontiguousarray(a)).half() for k, a in state.items()},
        "alignment_heads": [list(map(int, pair)) for pair in config.get("alignment_heads", [])],
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    torch.save(checkpoint, tmp)
    os.replace(tmp, target)
    return target


def load_openai_model(checkpoint_path: Path):
    """Build an openai-whisper model from a checkpoint (ours, or a user's official .pt)."""
    import torch
    from whisper.model import ModelDimensions, Whisper

    checkpoint = torch.load(checkpoint_path, map_location="cpu", weights_only=True)  # tensors and plain data only: no code runs
    dims = ModelDimensions(**checkpoint["dims"])
    model = Whisper(dims)
    model.load_state_dict({k: t.float() for k, t in checkpoint["model_state_dict"].items()})
    heads = checkpoint.get("alignment_heads")
    if heads:
        mask = torch.zeros(dims.n_text_layer, dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            mask[layer, head] = True
        model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    return model.eval()
