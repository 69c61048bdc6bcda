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
from typing import Any, Protocol, runtime_checkable

from engramdb.model.filters import And, Filter
from engramdb.model.graph import Entity, EntityMention
from engramdb.model.memory import MemoryRecord, Scope
from engramdb.ports.batch import Probe
from engramdb.ports.store import GraphStore, MemoryStore, ScoredId
from engramdb.retrieval.fusion import Fused
from engramdb.types import Vector

__all__ = ["Probing", "Search", "Source", "Step", "and_", "in_order"]


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
        probed: candidate lists read ahead in one store call (see :meth:`probe`).
        around: session neighbours read ahead, by anchor id (see :meth:`load`),
            within ``around_window`` turns.
        mentioned: mentions of the named entities read ahead, and the memory ids
            they cover.
        planned: what a source worked out while naming its probes, by source name,
            for its :meth:`~Source.gather`.
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
    probed: list[tuple[Probe, list[ScoredId]]] = field(default_factory=list)
    around: dict[str, list[MemoryRecord]] = field(default_factory=dict)
    around_window: int = 0
    planned: dict[str, Any] = field(default_factory=dict)
    mentioned: tuple[list[EntityMention], set[str]] = field(default_factory=lambda: ([], set()))

    @property
    def graph(self) -> GraphStore | None:
        """The store's entity graph, if it keeps one."""
        return self.store if isinstance(self.store, GraphStore) else None

    def dense(self, flt: Filter | None) -> list[ScoredId]:
        """The memories nearest to the query vector among those ``flt`` admits."""
        return in_order(self._answer(Probe("dense", flt, vector=self.vector)))

    def lexical(self, terms: Sequence[str], flt: Filter | None) -> list[ScoredId]:
        """The memories that best match ``terms`` (BM25) among those ``flt`` admits."""
        return in_order(self._answer(Probe("lexical", flt, tuple(terms)))) if terms else []

    def among(self, ids: Sequence[str]) -> list[ScoredId]:
        """``ids`` by closeness to the query vector, nearest first (those with a vector)."""
        return self._answer(Probe("dense", None, vector=self.vector, among=tuple(ids)))

    def probe(self, probes: Sequence[Probe]) -> None:
        """Read these candidate lists ahead, in one store call."""
        wanted = list(dict.fromkeys(probes))  # equal probes are one list
        found = self.store.search_many(wanted, self.scope, self.candidates, as_of=self.as_of)
        self.probed = list(zip(wanted, found, strict=True))

    def _answer(self, probe: Probe) -> list[ScoredId]:
        found = next((f for p, f in self.probed if p == probe), None)
        if found is not None:
            return found
        return self.store.search_many([probe], self.scope, self.candidates, as_of=self.as_of)[0]

    def load(self, ids: Sequence[str], *, anchors: int, window: int) -> None:
        """Read the candidates ``ids`` and what later steps read about them, in one call.

        The steps ask :meth:`fetch`, :meth:`neighbours` and :meth:`mentions`, which go to
        the store only for what was not read here.
        """
        named = [e.id for e in self.named]
        context = self.store.search_context(ids, anchors=anchors, window=window, entity_ids=named)
        self.memories = context.memories
        self.around, self.around_window = context.neighbours, window
        self.mentioned = (context.mentions, context.read_in)

    def fetch(self, ids: Sequence[str]) -> dict[str, MemoryRecord]:
        """The memories among ``ids`` (from :attr:`memories`, the others from the store)."""
        missing = [i for i in ids if i not in self.memories]
        if missing:
            self.memories.update(self.store.get_many(missing))
        return {i: self.memories[i] for i in ids if i in self.memories}

    def neighbours(
        self, anchors: Sequence[MemoryRecord], window: int
    ) -> dict[str, list[MemoryRecord]]:
        """Each anchor's session neighbours within ``window`` (read ahead where they were)."""
        ahead = self.around if window == self.around_window else {}
        missing = [m for m in anchors if m.id not in ahead]
        found = self.store.neighbours(missing, window) if missing else {}
        return {m.id: ahead.get(m.id) or found.get(m.id, []) for m in anchors}

    def mentions(self, entity_ids: Sequence[str], memory_ids: Sequence[str]) -> list[EntityMention]:
        """Mentions of ``entity_ids`` in ``memory_ids`` (read ahead where they were)."""
        graph = self.graph
        if graph is None or not entity_ids:
            return []
        ahead, covered = self.mentioned
        wanted, asked = set(entity_ids), set(memory_ids)
        if not wanted <= {e.id for e in self.named}:  # read ahead for the named ones only
            ahead, covered = [], set()
        found = [m for m in ahead if m.entity_id in wanted and m.memory_id in asked]
        missing = [i for i in memory_ids if i not in covered]
        if missing:
            found += graph.mentions(entity_ids=list(entity_ids), memory_ids=missing)
        return found


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


@runtime_checkable
class Probing(Source, Protocol):
    """A source that says which index lists it reads, so that one store call answers all."""

    def probes(self, search: Search) -> list[Probe]:
        """The lists :meth:`gather` reads through :meth:`Search.dense` or :meth:`Search.lexical`."""
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


def and_(flt: Filter | None, extra: Filter) -> Filter:
    """``flt`` and ``extra``."""
    return extra if flt is None else And((flt, extra))
