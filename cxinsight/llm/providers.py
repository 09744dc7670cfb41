"""`--llm SPEC` -> a LangChain chat model: none, openai:MODEL, ollama:MODEL, llamacpp:PATH.gguf.

Every provider is a LangChain chat model, so the chains do not care which one runs.
Imports happen only for the provider named, so the default (`none`) imports nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from cxinsight.errors import UsageError

KINDS = ("none", "openai", "ollama", "llamacpp")


def parse_spec(spec: str | None) -> tuple[str, str]:
    spec = (spec or "none").strip()
    if spec == "none":
        return "none", ""
    kind, _, model = spec.partition(":")
    if kind not in KINDS or not model:
        raise UsageError(f"unknown --llm '{spec}' (use none, openai:MODEL, ollama:MODEL or llamacpp:PATH.gguf)")
    return kind, model


def make_chat_model(spec: str | None, base_url: str | None = None, timeout: float = 60.0, max_tokens: int = 300):
    """The chat model for a spec, or None for `none`. Retries are ours (calls.py), so the client's are off."""
    kind, model = parse_spec(spec)
    if kind == "none":
        return None
    if kind == "openai":
        from langchain_openai import ChatOpenAI

        url = base_url or None  # settings already folded OPENAI_BASE_URL in
        return ChatOpenAI(
            model=model, base_url=url, api_key=os.environ.get("OPENAI_API_KEY") or "not-needed-for-local-servers",
            timeout=timeout, max_retries=0, temperature=0, max_tokens=max_tokens,
            # langchain-openai sends only max_completion_tokens; local servers (llama.cpp's among them) read max_tokens
            extra_body={"max_tokens": max_tokens} if url else None,
        )
    if kind == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:
            raise UsageError("--llm ollama:… needs langchain-ollama (pip install langchain-ollama)") from exc
        return ChatOllama(model=model, base_url=base_url or os.environ.get("OLLAMA_HOST") or None, temperature=0,
                          num_predict=max_tokens, client_kwargs={"timeout": timeout})
    path = Path(model).expanduser()
    if not path.is_file():
        raise UsageError(f"--llm llamacpp:{model}: no such GGUF file")
    from cxinsight.llm.llamacpp import ChatLlamaCpp

    return ChatLlamaCpp(model_path=str(path), max_tokens=max_tokens)
