"""Offline hygiene: set before any heavy import so nothing reaches a hub or telemetry host."""

import os

_OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    # onnxruntime looks up its telemetry host on import unless this is set.
    "ORT_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "RAY_USAGE_STATS_ENABLED": "0",
}


def apply() -> None:
    for key, value in _OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
