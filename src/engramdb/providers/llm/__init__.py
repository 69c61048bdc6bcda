"""Language-model providers for the optional LLM layer (``pip install engramdb[llm]``)."""

from __future__ import annotations

from engramdb.providers.llm.openai_compat import OpenAICompatible
from engramdb.providers.llm.settings import llm_from_env

__all__ = ["OpenAICompatible", "llm_from_env"]
