"""Calling a chat model robustly: cache, retries with backoff (LangChain with_retry), one repair of malformed JSON, clear errors.

Every failure ends as an LLMError with one line saying why; callers fall back to
the offline path and say so. Responses are cached by (prompt version, model,
input), so re-running a batch does not pay twice.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path

from pydantic import BaseModel, ValidationError

from cxinsight.errors import CxError
from cxinsight.llm.prompts import Prompt
from cxinsight.llm.providers import make_chat_model, parse_spec


class LLMError(CxError):
    """The LLM could not give a usable answer; the caller falls back."""


class ResponseCache:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, text TEXT)")
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT text FROM responses WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, text: str) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO responses VALUES (?, ?)", (key, text))


def _reason(exc: Exception, base_url: str) -> str:
    name = exc.__class__.__name__
    status = getattr(exc, "status_code", None)
    if name in ("APIConnectionError", "ConnectError", "ConnectionError") or "Connection" in name:
        return f"cannot reach the LLM server{f' at {base_url}' if base_url else ''} ({name})"
    if "Timeout" in name:
        return "the LLM server timed out"
    if name == "LengthFinishReasonError":
        return "the LLM reply hit the token limit before the JSON was complete"
    if status == 401 or name == "AuthenticationError":
        return "the LLM server refused the API key (check OPENAI_API_KEY)"
    if status == 404 or name == "NotFoundError":
        return "the model was not found on the LLM server"
    if status == 429 or name == "RateLimitError":
        return "the LLM server kept rate-limiting the requests"
    return f"LLM call failed ({name}: {str(exc)[:120]})"


def _transient(exc: BaseException) -> bool:
    status = getattr(exc, "status_code", None)
    name = exc.__class__.__name__
    return status in (408, 429, 500, 502, 503, 504) or "Timeout" in name or "Connection" in name or name == "RateLimitError"


class TransientLLMError(Exception):
    """A failure worth retrying (timeout, connection, 429/5xx); LangChain's with_retry retries only these."""


def parse_json(text: str, schema: type[BaseModel]) -> BaseModel:
    """The reply as the schema, via LangChain's parser (plain JSON or a fenced ```json block)."""
    from langchain_core.exceptions import OutputParserException
    from langchain_core.output_parsers import PydanticOutputParser

    try:
        return PydanticOutputParser(pydantic_object=schema).parse(text)
    except OutputParserException as exc:
        raise ValueError(str(exc).splitlines()[0][:200]) from None


class LLMClient:
    def __init__(self, spec: str, base_url: str | None = None, timeout: float = 60.0, cache_path: Path | None = None,
                 retries: int = 3, model=None):
        self.spec = spec
        self.kind, _ = parse_spec(spec)
        self.base_url = base_url or ""  # settings fold OPENAI_BASE_URL into llm_base_url
        self.model = model if model is not None else make_chat_model(spec, base_url, timeout)
        self.cache = ResponseCache(cache_path) if cache_path else None
        self.retries = retries
        self.calls = 0  # requests actually sent (not served from the cache)

    def _send(self, messages, json_mode: bool, schema: dict | None = None) -> str:
        from langchain_core.runnables import RunnableLambda

        model = self.model
        if json_mode and self.kind == "llamacpp" or (json_mode and self.kind == "openai" and self.base_url):
            # llama.cpp (in process or its server) turns a schema into a grammar: output is valid JSON by construction
            model = model.bind(response_format={"type": "json_object", **({"schema": schema} if schema else {})})
        elif json_mode and self.kind == "openai":
            model = model.bind(response_format={"type": "json_object"})
        elif json_mode and self.kind == "ollama":
            model = model.bind(format=schema or "json")

        def send_once(batch):
            self.calls += 1
            try:
                return model.invoke(batch)
            except Exception as exc:
                if _transient(exc):
                    raise TransientLLMError() from exc
                raise

        sender = RunnableLambda(send_once, name="llm_request").with_retry(
            retry_if_exception_type=(TransientLLMError,), stop_after_attempt=self.retries, wait_exponential_jitter=True)
        try:
            reply = sender.invoke(messages)
        except TransientLLMError as exc:
            raise LLMError(_reason(exc.__cause__, self.base_url)) from exc
        except Exception as exc:  # any provider error becomes one clear line
            raise LLMError(_reason(exc, self.base_url)) from exc
        return reply.content if isinstance(reply.content, str) else json.dumps(reply.content)

    def complete(self, prompt: Prompt, variables: dict, json_mode: bool = False, extra_messages: list | None = None,
                 schema: dict | None = None) -> str:
        payload = json.dumps([prompt.version, self.spec, self.base_url, variables, json_mode, schema,
                              [m.content for m in extra_messages or []]], sort_keys=True)
        key = hashlib.sha256(payload.encode()).hexdigest()
        if self.cache and (hit := self.cache.get(key)) is not None:
            return hit
        text = self._send(prompt.messages(**variables) + list(extra_messages or []), json_mode, schema)
        if self.cache:
            self.cache.put(key, text)
        return text

    def structured(self, prompt: Prompt, variables: dict, schema: type[BaseModel], json_schema: dict | None = None) -> BaseModel:
        """Parse the reply into `schema`; on malformed output ask once more, then give up (LLMError).

        `json_schema` (default: the model's) is what servers that support it constrain decoding to.
        """
        from langchain_core.messages import AIMessage, HumanMessage

        json_schema = json_schema or schema.model_json_schema()
        text = self.complete(prompt, variables, json_mode=True, schema=json_schema)
        try:
            return parse_json(text, schema)
        except (ValueError, ValidationError) as first:
            nudge = [AIMessage(content=text[:2000]),
                     HumanMessage(content="That was not valid JSON of the requested form. Reply with the JSON object only.")]
            text = self.complete(prompt, variables, json_mode=True, extra_messages=nudge, schema=json_schema)
            try:
                return parse_json(text, schema)
            except (ValueError, ValidationError):
                raise LLMError(f"malformed output from the LLM twice ({first.__class__.__name__})") from None


def client_for(settings) -> LLMClient | None:
    """The LLM client for the settings' --llm, or None for the offline default."""
    if (settings.llm or "none") == "none":
        return None
    from cxinsight.util.cache import cache_dir

    return LLMClient(settings.llm, settings.llm_base_url, settings.llm_timeout, cache_path=cache_dir() / "llm-responses.sqlite3")
