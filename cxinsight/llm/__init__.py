"""LLM providers (LangChain chat models), prompts as files, cached and validated calls."""
