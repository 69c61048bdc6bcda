"""What a search's parts share, and the two shapes a part takes.

A search runs as: gather (each :class:`Source` ranks candidates), fuse (weighted RRF),
expand (gists open into their turns, hits pull in their neighbours), re-rank (each
:class:`Step` rescales scores and explains why), filter, budget. Every part reads the
:class:`Search` in progress: the analysed query and what earlier parts found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np

from engramdb.model.filters import And, Filter
from engramdb.model.graph import Entity
from engramdb.model.memory import MemoryRecord, Scope
from engramdb.ports.store import GraphStore, MemoryStore, ScoredId, VectorIndex
from engramdb.retrieval.fusion import Fused
from engramdb.types import Vector

__all__ = ["Search", "Source", "Step", "and_", "closest", "in_order"]


@dataclass(slots=True)
class Search:
    """One search in progress.

    Attributes:
        store: where the memories are.
        text: the query.
        vector: the query's embedding (without the names it mentions).
        scope: nothing outside it is returned.
        flt: the caller's metadata filter.
        evidence: the filter of the evidence lists (without gists, unless the caller
            asks for a kind).
        direct: the caller's filter names a kind, so gists are returned as they are.
        as_of: search what was true then.
        known: the scope's entities.
        named: the entities the query names (and, with party focus, its "I" and "you").
        by_name: those it names by name.
        windows: the ``[start, end)`` intervals the query's time expressions mean.
        candidates: how many candidates a source contributes.
        retention_at: the current time: expired memories are left out, and retention
            is measured at it (``None``: neither).
        ranked: each source's candidates, by list name (filled by the gather stage).
        memories: the candidates' memories (filled after fusion, grown by expansion).
        excerpts: turn id -> the passage of it that is shown (filled by
            :class:`~engramdb.retrieval.excerpts.Excerpts`).
    """

    store: MemoryStore
    text: str
    vector: Vector
    scope: Scope
    flt: Filter | None
    evidence: Filter | None
    direct: bool
    as_of: datetime | None
    known: list[Entity]
    named: list[Entity]
    by_name: list[Entity]
    windows: list[tuple[datetime, datetime]]
    candidates: int
    retention_at: datetime | None = None
    ranked: dict[str, list[ScoredId]] = field(default_factory=dict)
    memories: dict[str, MemoryRecord] = field(default_factory=dict)
    excerpts: dict[str, str] = field(default_factory=dict)

    @property
    def graph(self) -> GraphStore | None:
        """The store's entity graph, if it keeps one."""
        return self.store if isinstance(self.store, GraphStore) else None

    def dense(self, flt: Filter | None) -> list[ScoredId]:
        """The memories nearest to the query vector among those ``flt`` admits."""
        store = self.store
        if not (store.capabilities.vector and isinstance(store, VectorIndex)):
            return []
        found = store.vector_search(self.vector, self.scope, flt, self.candidates, as_of=self.as_of)
        return in_order(found)


class Source(Protocol):
    """A candidate source: ranks memories for the query, best first."""

    @property
    def name(self) -> str:
        """The signal it gives, in a hit's ``why``."""
        ...

    @property
    def weight(self) -> float:
        """Its lists' weight in fusion."""
        ...

    def gather(self, search: Search) -> dict[str, list[ScoredId]]:
        """Candidate lists by name (usually one, called :attr:`name`; none when silent)."""
        ...


class Step(Protocol):
    """A stage after fusion: rescales (and may add to) the fused candidates, in place."""

    def apply(self, search: Search, fused: list[Fused]) -> list[Fused]:
        """The candidates after this step, best first or in their previous order."""
        ...


def in_order(found: Sequence[ScoredId]) -> list[ScoredId]:
    """Best first; equal scores by id, so that every backend ranks ties alike.

    Scores are compared to 6 places: one backend computes in float32, another in float64.
    """
    return sorted(found, key=lambda pair: (-round(pair[1], 6), pair[0]))


def closest(ids: Sequence[str], vectors: dict[str, Vector], vector: Vector) -> list[ScoredId]:
    """``ids`` that have a vector, by descending cosine to ``vector`` (all are unit length)."""
    probe = np.asarray(vector, dtype=np.float32)
    scored = [(i, float(np.dot(vectors[i], probe))) for i in ids if i in vectors]
    return sorted(scored, key=lambda pair: -pair[1])


def and_(flt: Filter | None, extra: Filter) -> Filter:
    """``flt`` and ``extra``."""
    return extra if flt is None else And((flt, extra))
