"""A LangChain chat model over llama-cpp-python in this process (`--llm llamacpp:PATH.gguf`).

llama-cpp-python is an optional extra (it compiles from source); the import error
says how to install it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from cxinsight.errors import UsageError

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class ChatLlamaCpp(BaseChatModel):
    model_path: str
    max_tokens: int = 512
    n_ctx: int = 4096
    _llama: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _model(self):
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise UsageError("--llm llamacpp:… needs llama-cpp-python (pip install 'cxinsight[llamacpp]')") from exc
            self._llama = Llama(model_path=self.model_path, n_ctx=self.n_ctx, verbose=False)
        return self._llama

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs) -> ChatResult:
        out = self._model().create_chat_completion(
            messages=[{"role": _ROLES.get(m.type, "user"), "content": m.content} for m in messages],
            max_tokens=self.max_tokens, temperature=0, stop=stop,
            response_format=kwargs.get("response_format"),
        )
        text = out["choices"][0]["message"]["content"] or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
