"""The hybrid retriever: lexical + dense candidates, RRF, temporal contiguity, budget."""

from __future__ import annotations

from dataclasses import dataclass

from engramdb.model.filters import Filter, matches
from engramdb.model.memory import MemoryKind, MemoryRecord, Scope
from engramdb.model.query import Hit
from engramdb.ports.embedder import Embedder
from engramdb.ports.store import KeywordIndex, MemoryStore, ScoredId, VectorIndex
from engramdb.retrieval.budget import count_tokens, within_budget
from engramdb.retrieval.contiguity import expand_neighbours
from engramdb.retrieval.fusion import rrf
from engramdb.retrieval.text import query_terms

__all__ = ["RetrievalSettings", "Retriever"]


@dataclass(frozen=True, slots=True)
class RetrievalSettings:
    """Knobs of the hybrid retriever.

    Attributes:
        candidates: how many candidates each signal contributes.
        rrf_k: the RRF constant.
        lexical_weight: weight of the lexical signal in fusion.
        dense_weight: weight of the dense signal in fusion.
        neighbour_window: how many turns either side a hit pulls in (0 disables).
        neighbour_decay: a neighbour's score is the hit's times this per step.
        expand_top: how many of the best hits pull in neighbours.
        lexical_floor: lexical candidates scoring below this fraction of the best
            lexical score are dropped (a match on a word every memory has, like
            the speaker's name, is no evidence).
    """

    candidates: int = 50
    rrf_k: int = 5
    lexical_weight: float = 1.0
    dense_weight: float = 0.6
    neighbour_window: int = 1
    neighbour_decay: float = 0.6
    expand_top: int = 20
    lexical_floor: float = 0.2


class Retriever:
    """Composes whatever search capabilities the store has into ranked hits."""

    def __init__(
        self, store: MemoryStore, embedder: Embedder, settings: RetrievalSettings | None = None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or RetrievalSettings()

    def search(
        self,
        query: str,
        scope: Scope,
        flt: Filter | None,
        *,
        k: int,
        budget_tokens: int | None = None,
    ) -> list[Hit]:
        """The best ``k`` memories for ``query`` within ``scope``, explained.

        Args:
            query: natural-language query.
            scope: the namespace to search; nothing outside it is returned.
            flt: an optional parsed metadata filter.
            k: maximum number of hits.
            budget_tokens: if given, the hits' texts together fit in this many tokens.
        """
        s = self.settings
        fused = rrf(
            self._candidates(query, scope, flt),
            k=s.rrf_k,
            weights={"lexical": s.lexical_weight, "dense": s.dense_weight},
        )
        memories = self.store.get_many([f.id for f in fused])
        if s.neighbour_window > 0:
            head = fused[: s.expand_top]
            expanded = expand_neighbours(
                head,
                memories,
                lambda m: self.store.neighbours(m, s.neighbour_window),
                decay=s.neighbour_decay,
            )
            seen = {f.id for f in expanded}
            fused = sorted(
                expanded + [f for f in fused if f.id not in seen], key=lambda f: -f.score
            )
        # neighbours come from the session log, so they are checked against the filter here
        hits = [
            Hit(memories[f.id], f.score, tuple(f.signals), ())
            for f in fused
            if f.id in memories and matches(flt, memories[f.id])
        ][:k]
        if budget_tokens is not None:
            hits = within_budget(hits, budget_tokens, lambda h: count_tokens(h.memory.text))
        return self._with_sources(hits)

    def _candidates(
        self, query: str, scope: Scope, flt: Filter | None
    ) -> dict[str, list[ScoredId]]:
        n = self.settings.candidates
        ranked: dict[str, list[ScoredId]] = {}
        caps = self.store.capabilities
        if caps.keyword and isinstance(self.store, KeywordIndex):
            lexical = self.store.keyword_search(query_terms(query), scope, flt, n)
            floor = self.settings.lexical_floor * (lexical[0][1] if lexical else 0.0)
            ranked["lexical"] = [(i, score) for i, score in lexical if score >= floor]
        if caps.vector and isinstance(self.store, VectorIndex):
            ranked["dense"] = self.store.vector_search(self.embedder.embed(query), scope, flt, n)
        return ranked

    def _with_sources(self, hits: list[Hit]) -> list[Hit]:
        wanted = {s for h in hits for s in h.memory.sources}
        found = self.store.get_many(list(wanted)) if wanted else {}
        return [Hit(h.memory, h.score, h.why, _sources(h.memory, found)) for h in hits]


def _sources(memory: MemoryRecord, found: dict[str, MemoryRecord]) -> tuple[MemoryRecord, ...]:
    if memory.kind is MemoryKind.EPISODE:
        return (memory,)
    return tuple(found[s] for s in memory.sources if s in found)
