"""One search's reads in few store calls.

After the scope's entities, a search asks the store for every candidate list at once
(:class:`Probe` s, answered by ``MemoryStore.search_many``), then for the candidates and
what the steps after fusion read about them (a :class:`SearchContext`, from
``MemoryStore.search_context``): their source turns, the session neighbours of the best,
and which of them mention the entities the query names. The defaults below call the
store's own methods one after the other; a backend that pays a round trip per statement
may answer either in one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import numpy as np

from engramdb.model.filters import Filter
from engramdb.model.graph import EntityMention
from engramdb.model.memory import MemoryKind, MemoryRecord, Scope
from engramdb.types import Vector

if TYPE_CHECKING:
    from engramdb.ports.store import MemoryStore, ScoredId

__all__ = ["Probe", "SearchContext", "context_by_parts", "nearest", "probes_by_parts"]


@dataclass(frozen=True, slots=True)
class Probe:
    """One candidate list: BM25 over ``terms``, or the memories nearest to ``vector``.

    A dense probe ``among`` some memories ranks those (whatever their scope: the caller
    found them) instead of searching the scope. Two probes are the same list when their
    kind, terms, filter and ``among`` are: within one search the query vector is fixed,
    so it is not compared.
    """

    kind: Literal["lexical", "dense"]
    flt: Filter | None
    terms: tuple[str, ...] = ()
    vector: Vector | None = field(default=None, compare=False)
    among: tuple[str, ...] = ()


@dataclass(slots=True)
class SearchContext:
    """Candidates of one search and what is read about them, loaded together.

    Attributes:
        memories: the candidates that exist, and the memories they were drawn from.
        neighbours: for each anchor, its session neighbours (none for what is not an
            episode).
        mentions: the mentions of the entities asked for in the memories ``read_in``.
        read_in: the ids of the memories whose mentions were read.
    """

    memories: dict[str, MemoryRecord]
    neighbours: dict[str, list[MemoryRecord]]
    mentions: list[EntityMention]
    read_in: set[str]


def probes_by_parts(
    store: MemoryStore,
    probes: Sequence[Probe],
    scope: Scope,
    limit: int,
    as_of: datetime | None,
) -> list[list[ScoredId]]:
    """Each probe's best matches, asked of the store's indexes one by one."""
    from engramdb.ports.store import KeywordIndex, VectorIndex

    caps = store.capabilities
    found: list[list[ScoredId]] = []
    for probe in probes:
        if probe.among and probe.vector is not None:
            found.append(nearest(probe.among, store.vectors_of(probe.among), probe.vector, limit))
        elif probe.kind == "lexical" and caps.keyword and isinstance(store, KeywordIndex):
            found.append(store.keyword_search(probe.terms, scope, probe.flt, limit, as_of=as_of))
        elif (
            probe.kind == "dense"
            and probe.vector is not None
            and caps.vector
            and isinstance(store, VectorIndex)
        ):
            found.append(store.vector_search(probe.vector, scope, probe.flt, limit, as_of=as_of))
        else:
            found.append([])
    return found


def context_by_parts(
    store: MemoryStore,
    ids: Sequence[str],
    *,
    anchors: int,
    window: int,
    entity_ids: Sequence[str],
) -> SearchContext:
    """The context of ``ids`` read with the store's single-purpose methods.

    Anchors are the first ``anchors`` turns found: a passage stands for its turn.
    """
    from engramdb.ports.store import GraphStore

    memories = store.get_with_sources(ids)
    heads = _anchors([memories[i] for i in ids if i in memories], memories, anchors)
    found = store.neighbours(heads, window) if window > 0 and heads else {}
    neighbours = {head.id: found.get(head.id, []) for head in heads}
    for near in neighbours.values():
        memories.update((m.id, m) for m in near if m.id not in memories)
    if not (entity_ids and isinstance(store, GraphStore)):
        return SearchContext(memories, neighbours, [], set())
    mentions = store.mentions(entity_ids=entity_ids, memory_ids=list(memories))
    return SearchContext(memories, neighbours, mentions, set(memories))


def _anchors(
    ranked: Sequence[MemoryRecord], memories: dict[str, MemoryRecord], count: int
) -> list[MemoryRecord]:
    """The first ``count`` distinct memories of ``ranked``, each passage as its turn.

    A search folds passages into their turns before the best pull in their neighbours,
    so these are the ones that will; gists open into turns it cannot foresee.
    """
    heads: dict[str, MemoryRecord] = {}
    for memory in ranked:
        if len(heads) >= count:
            break
        if memory.kind is MemoryKind.PASSAGE and memory.sources:
            memory = memories.get(memory.sources[0], memory)
        if memory.kind is not MemoryKind.SUMMARY:
            heads.setdefault(memory.id, memory)
    return list(heads.values())


def nearest(
    ids: Sequence[str], vectors: dict[str, Vector], vector: Vector, limit: int | None = None
) -> list[ScoredId]:
    """``ids`` that have a vector, nearest to ``vector`` first (all are unit length)."""
    probe = np.asarray(vector, dtype=np.float32)
    scored = [(i, float(np.dot(vectors[i], probe))) for i in ids if i in vectors]
    return sorted(scored, key=lambda pair: -pair[1])[:limit]
