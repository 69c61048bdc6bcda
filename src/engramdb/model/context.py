"""The working memory: a packed, sectioned context for a prompt (built by the retrieval)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engramdb.model.memory import MemoryRecord

__all__ = ["Context", "ContextItem"]


@dataclass(frozen=True, slots=True)
class ContextItem:
    """One memory placed in the context.

    Attributes:
        memory: the memory.
        line: how it is written in the context.
        cites: ids of the episodes it stands for (itself, or a fact's source turns).
    """

    memory: MemoryRecord
    line: str
    cites: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Context:
    """A packed, sectioned context.

    Attributes:
        query: what it was built for.
        budget_tokens: the budget; ``tokens`` never exceeds it.
        profile: lines about the people the query names.
        facts: relevant facts that are true now, in time order.
        episodes: relevant turns, in time order.
        recent: the scope's latest turns, in time order.
        text: everything above, ready to put in a prompt.
        tokens: the size of ``text`` (approximate LLM tokens).
        sources: ids of the turns the context stands for (a fact counts as its source turns).
    """

    query: str
    budget_tokens: int
    profile: tuple[str, ...] = ()
    facts: tuple[ContextItem, ...] = ()
    episodes: tuple[ContextItem, ...] = ()
    recent: tuple[ContextItem, ...] = ()
    text: str = ""
    tokens: int = 0
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form (memories in full); see :mod:`engramdb.model.codec`."""
        from engramdb.model.codec import context_to_dict

        return context_to_dict(self)
