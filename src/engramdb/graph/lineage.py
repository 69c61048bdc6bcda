"""Provenance and truth over time: a memory's lineage, and a page of a scope's timeline.

Read through the store port only. Every memory returned is one the caller's tenant may see:
the chains are followed within it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from engramdb.model.lineage import Lineage, Timeline
from engramdb.model.memory import MemoryRecord, Scope
from engramdb.ports.store import MemoryStore

__all__ = ["lineage_of", "timeline_page"]

#: the longest supersession chain followed (a chain is a value's history: short in practice)
_MAX_CHAIN = 100


def lineage_of(store: MemoryStore, memory: MemoryRecord) -> Lineage:
    """``memory`` with its sources, what derives from it, and both supersession chains."""
    visible = _same_tenant(memory.scope.tenant_id)
    fetched = store.get_many(list(memory.sources))
    sources = [fetched[i] for i in memory.sources if i in fetched]
    derived = _oldest_first(store.get_many(store.derived_ids([memory.id])).values())
    return Lineage(
        memory=memory,
        sources=tuple(filter(visible, sources)),
        derived=tuple(filter(visible, derived)),
        replaced=tuple(filter(visible, _replaced(store, memory))),
        replaced_by=tuple(filter(visible, _replaced_by(store, memory))),
    )


def timeline_page(store: MemoryStore, scope: Scope, *, limit: int, cursor: str | None) -> Timeline:
    """One page of ``scope``'s turns in time order, with what was derived from them."""
    page = store.timeline_page(scope, limit=limit, cursor=cursor)
    derived = store.get_many(store.derived_ids([turn.id for turn in page])).values()
    visible = _same_tenant(scope.tenant_id)
    return Timeline(
        tuple(page.memories), tuple(filter(visible, _oldest_first(derived))), page.next_cursor
    )


def _replaced(store: MemoryStore, memory: MemoryRecord) -> list[MemoryRecord]:
    """What ``memory`` superseded or absorbed, then what those did, newest first."""
    seen, frontier = {memory.id}, [memory.id]
    found: list[MemoryRecord] = []
    for _ in range(_MAX_CHAIN):
        fresh = [i for i in store.replaced_ids(frontier) if i not in seen]
        if not fresh:
            break
        seen.update(fresh)
        found.extend(store.get_many(fresh).values())
        frontier = fresh
    return sorted(found, key=lambda m: (m.valid_from or m.occurred_at, m.recorded_at), reverse=True)


def _replaced_by(store: MemoryStore, memory: MemoryRecord) -> list[MemoryRecord]:
    """What superseded ``memory``, then what superseded that, to the current value."""
    chain: list[MemoryRecord] = []
    seen, current = {memory.id}, memory
    while current.superseded_by and current.superseded_by not in seen and len(chain) < _MAX_CHAIN:
        following = store.get_many([current.superseded_by]).get(current.superseded_by)
        if following is None:  # deleted since: the chain ends here
            break
        chain.append(following)
        seen.add(following.id)
        current = following
    return chain


def _oldest_first(memories: Iterable[MemoryRecord]) -> list[MemoryRecord]:
    return sorted(memories, key=lambda m: (m.occurred_at, m.recorded_at))


def _same_tenant(tenant_id: str | None) -> Callable[[MemoryRecord], bool]:
    return lambda memory: memory.scope.tenant_id == tenant_id
