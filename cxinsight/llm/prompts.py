"""Prompts live in prompts/NAME.yaml (version, system, user) so users can read and edit them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cxinsight.errors import UsageError
from cxinsight.util.resources import prompts_dir


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str  # recorded with every result the prompt produced, and part of the cache key
    system: str
    user: str

    def messages(self, **variables):
        from langchain_core.prompts import ChatPromptTemplate

        return ChatPromptTemplate.from_messages([("system", self.system), ("human", self.user)]).format_messages(**variables)


def load_prompt(name: str, folder: Path | None = None) -> Prompt:
    import yaml

    path = (folder or prompts_dir()) / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Prompt(name, str(data["version"]), str(data["system"]), str(data["user"]))
    except FileNotFoundError:
        raise UsageError(f"{path}: prompt file not found") from None
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: a prompt needs version, system and user ({exc.__class__.__name__}: {exc})") from None
