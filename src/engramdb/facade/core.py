"""The state every part of the :class:`~engramdb.Memory` facade shares, and its helpers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engramdb.api import MemoryAPI
from engramdb.enhancer import Enhancer
from engramdb.errors import CapabilityMissing
from engramdb.model.memory import Scope
from engramdb.model.validation import normalize_scope
from engramdb.pipeline.understand.analyze import Analyzer
from engramdb.ports.clock import Clock
from engramdb.ports.embedder import Embedder
from engramdb.ports.store import MemoryStore
from engramdb.retrieval.retriever import Retriever

__all__ = ["Core"]


class Core(MemoryAPI):
    """What the operations work on: one store, its embedder, the clock, the tenant."""

    store: MemoryStore
    embedder: Embedder
    analyzer: Analyzer | None
    clock: Clock
    actor: str
    retriever: Retriever
    enhancer: Enhancer | None
    tenant_id: str | None

    def _scope(
        self,
        user_id: Any = None,
        agent_id: Any = None,
        session_id: Any = None,
        *,
        required: bool = True,
    ) -> Scope:
        """A validated scope, confined to this view's tenant."""
        scope = normalize_scope(user_id, agent_id, session_id, required=required)
        return replace(scope, tenant_id=self.tenant_id)

    def _now(self) -> dict[str, Any]:
        """The time and author of a change made now."""
        return {"now": self.clock.now(), "actor": self.actor}

    def _llm(self, operation: str) -> Enhancer:
        if self.enhancer is None:
            raise CapabilityMissing(
                f"{operation} needs an LLM: Memory.open(..., llm=OpenAICompatible(...))",
                extra="llm",
            )
        return self.enhancer
