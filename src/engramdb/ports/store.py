"""Storage ports: the memory store, its keyword and vector indexes.

Score convention (all ports): higher is better. Keyword scores are BM25-like
(positive, unbounded); vector scores are cosine similarities in [-1, 1].
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from engramdb.model.filters import Filter
from engramdb.model.graph import Entity, EntityMention, Relation
from engramdb.model.memory import EventKind, MemoryEvent, MemoryRecord, MemoryStatus, Scope
from engramdb.model.query import Page
from engramdb.ports.batch import Probe, SearchContext, context_by_parts, probes_by_parts
from engramdb.types import Vector

__all__ = [
    "Capabilities",
    "GraphStore",
    "GraphTable",
    "IdempotentResult",
    "KeywordIndex",
    "MemoryStore",
    "ScoredId",
    "VectorIndex",
]

ScoredId = tuple[str, float]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend can do; the retriever composes what exists."""

    keyword: bool = True
    vector: bool = True
    graph: bool = False
    native_hybrid: bool = False


class KeywordIndex(ABC):
    """Lexical search over memory text."""

    @abstractmethod
    def keyword_search(
        self,
        terms: Sequence[str],
        scope: Scope,
        flt: Filter | None,
        limit: int,
        *,
        as_of: datetime | None = None,
    ) -> list[ScoredId]:
        """Best matches for any of ``terms`` among active memories in ``scope``.

        With ``as_of``, among the memories true at that time instead (superseded
        ones included while they were valid; see :func:`engramdb.model.memory.valid_at`).
        """


class VectorIndex(ABC):
    """Dense search over memory vectors."""

    @abstractmethod
    def vector_search(
        self,
        vector: Vector,
        scope: Scope,
        flt: Filter | None,
        limit: int,
        *,
        as_of: datetime | None = None,
    ) -> list[ScoredId]:
        """Nearest active memories in ``scope`` by cosine similarity (``as_of``: as above)."""


#: the graph tables whose rows have ids of their own
GraphTable = Literal["entities", "relations"]


class GraphStore(ABC):
    """Entities, mentions and relations; written inside the store's unit of work."""

    @abstractmethod
    def save_entities(self, entities: Sequence[Entity]) -> None:
        """Insert entities, or update the name, kind and aliases of existing ids."""

    @abstractmethod
    def entities(self, scope: Scope) -> list[Entity]:
        """Every entity visible from ``scope`` (its user and agent keys; sessions share them)."""

    @abstractmethod
    def add_mentions(self, mentions: Sequence[EntityMention]) -> None:
        """Record which memories mention which entities (duplicates are ignored)."""

    @abstractmethod
    def mentions(
        self, *, entity_ids: Sequence[str] = (), memory_ids: Sequence[str] = ()
    ) -> list[EntityMention]:
        """Mentions of the given entities, or in the given memories; both: the intersection."""

    @abstractmethod
    def newest_mentions(self, entity_id: str, limit: int) -> tuple[list[str], int]:
        """The ``limit`` newest memories mentioning an entity (ids, oldest first), and the count.

        Ids sort in the order stored; the count is of every memory that mentions it.
        """

    @abstractmethod
    def add_relations(self, relations: Sequence[Relation]) -> None:
        """Record subject-predicate-object edges."""

    @abstractmethod
    def relations(
        self,
        scope: Scope,
        *,
        entity_ids: Sequence[str] = (),
        predicate: str | None = None,
        current_only: bool = False,
    ) -> list[Relation]:
        """Edges in ``scope`` touching ``entity_ids`` (as subject or object), oldest first."""

    @abstractmethod
    def dump_graph(self) -> tuple[list[Entity], list[EntityMention], list[Relation]]:
        """Every entity, mention and relation of the store (for export)."""

    @abstractmethod
    def end_relations(self, fact_id: str, valid_to: datetime) -> None:
        """Mark the edges asserted by ``fact_id`` as no longer true from ``valid_to``."""

    @abstractmethod
    def reopen_relations(self, fact_id: str) -> None:
        """Mark the edges asserted by ``fact_id`` as true again (a supersession undone)."""

    @abstractmethod
    def graph_tenants(self, table: GraphTable, ids: Sequence[str]) -> dict[str, str | None]:
        """The tenant of each existing id among ``ids`` in ``table``."""


@dataclass(frozen=True, slots=True)
class IdempotentResult:
    """What an idempotency key recorded: its request's fingerprint and stored episode ids."""

    fingerprint: str
    ids: list[list[str]]


@dataclass(frozen=True, slots=True)
class SessionLog:
    """One session's episode log, as consolidation sees it.

    Attributes:
        scope: the session's full scope (its user / agent / tenant and session keys).
        turns: how many active episodes it holds.
        last_id: the newest of their ids; with ``turns``, it tells whether it changed.
    """

    scope: Scope
    turns: int
    last_id: str


class MemoryStore(ABC):
    """Memories, their provenance and events, written atomically."""

    capabilities: Capabilities
    read_only: bool

    @abstractmethod
    def atomic(self) -> AbstractContextManager[None]:
        """A unit of work: everything inside commits together or not at all."""

    def pinned(self) -> AbstractContextManager[None]:
        """Make the calls inside share one connection, where the backend pools them.

        Not a transaction: each call sees what was committed when it ran. A search makes
        several calls; on PostgreSQL each would check a pooled connection out (and the
        pool checks each one it hands out with a round trip of its own).
        """
        return nullcontext()

    @abstractmethod
    def insert(
        self,
        memories: Sequence[MemoryRecord],
        vectors: Sequence[Vector] | None,
        actor: str,
        *,
        record_events: bool = True,
    ) -> None:
        """Insert new memories (and their vectors); an ADD event at each ``recorded_at``."""

    @abstractmethod
    def replace(
        self, memory: MemoryRecord, vector: Vector | None, actor: str, at: datetime
    ) -> None:
        """Write a new version of an existing memory and record an UPDATE event at ``at``."""

    @abstractmethod
    def delete(self, ids: Sequence[str], actor: str, at: datetime) -> list[str]:
        """Delete memories and everything derived from them; returns every deleted id.

        Content is removed everywhere, including earlier events of those memories;
        a DELETE event without content is recorded for each.
        """

    @abstractmethod
    def set_usage(self, memories: Sequence[MemoryRecord]) -> None:
        """Store the ``strength`` and ``last_used_at`` of memories (no event: not a change)."""

    @abstractmethod
    def set_status(
        self, ids: Sequence[str], status: MemoryStatus, kind: EventKind, actor: str, at: datetime
    ) -> None:
        """Move memories to ``status`` (archive / restore), recording a ``kind`` event each."""

    @abstractmethod
    def purge_deleted_text(self) -> None:
        """Drop the words of deleted memories from the text index now (not at a later merge)."""

    @abstractmethod
    def compact(self) -> None:
        """Erase deleted content physically: free pages, text index, vector index."""

    @abstractmethod
    def derived_ids(self, ids: Sequence[str]) -> list[str]:
        """Ids of the memories derived directly from any of ``ids`` (their ``sources``)."""

    def with_derived(self, ids: Sequence[str]) -> list[str]:
        """``ids`` and every memory derived from them, transitively (facts, gists, ...)."""
        seen = dict.fromkeys(ids)
        frontier = list(ids)
        while frontier:
            frontier = [i for i in self.derived_ids(frontier) if i not in seen]
            seen.update(dict.fromkeys(frontier))
        return list(seen)

    @abstractmethod
    def get_many(self, ids: Sequence[str]) -> dict[str, MemoryRecord]:
        """The memories among ``ids`` that exist, by id."""

    def get_with_sources(self, ids: Sequence[str]) -> dict[str, MemoryRecord]:
        """The memories among ``ids`` that exist and the memories they were drawn from, by id."""
        memories = self.get_many(ids)
        drawn_from = {s for m in memories.values() for s in m.sources if s not in memories}
        memories.update(self.get_many(list(drawn_from)))
        return memories

    @abstractmethod
    def list_page(
        self,
        scope: Scope,
        flt: Filter | None,
        *,
        limit: int,
        cursor: str | None,
        include_inactive: bool,
    ) -> Page:
        """Memories in ``scope`` in insertion order, one page at a time."""

    @abstractmethod
    def timeline_page(self, scope: Scope, *, limit: int, cursor: str | None) -> Page:
        """The active turns (episodes) of ``scope`` in the order said, one page at a time.

        Ordered by ``occurred_at``, then insertion; the cursor is opaque.
        """

    @abstractmethod
    def replaced_ids(self, ids: Sequence[str]) -> list[str]:
        """Ids of the memories whose ``superseded_by`` is any of ``ids``."""

    @abstractmethod
    def iter_ids(self, scope: Scope, batch: int) -> Iterator[list[str]]:
        """Every memory id in ``scope`` (active or not), in batches."""

    def search_many(
        self, probes: Sequence[Probe], scope: Scope, limit: int, *, as_of: datetime | None = None
    ) -> list[list[ScoredId]]:
        """Each probe's best ``limit`` matches in ``scope``, in one call (see :mod:`.batch`)."""
        return probes_by_parts(self, probes, scope, limit, as_of)

    def search_context(
        self, ids: Sequence[str], *, anchors: int, window: int, entity_ids: Sequence[str]
    ) -> SearchContext:
        """The memories among ``ids`` with what a search reads about them, in one call.

        With them: the memories they were drawn from, the session neighbours within
        ``window`` of the first ``anchors`` and of theirs, and the mentions of
        ``entity_ids`` in all of those (see :mod:`.batch`).
        """
        return context_by_parts(self, ids, anchors=anchors, window=window, entity_ids=entity_ids)

    @abstractmethod
    def neighbours(
        self, memories: Sequence[MemoryRecord], window: int
    ) -> dict[str, list[MemoryRecord]]:
        """Each episode's active session neighbours within ``window`` positions, by position.

        One query for all of ``memories``; memories that are not episodes get none.
        """

    @abstractmethod
    def recent_episodes(self, scope: Scope, limit: int) -> list[MemoryRecord]:
        """The ``limit`` latest active episodes of ``scope``, oldest first."""

    @abstractmethod
    def session_logs(self, scope: Scope) -> list[SessionLog]:
        """Each session in ``scope`` with active episodes, in the order they began."""

    @abstractmethod
    def latest_time(self, scope: Scope) -> datetime | None:
        """When the last episode in ``scope`` happened (``None``: no episodes)."""

    @abstractmethod
    def episodes_at(self, scope: Scope, times: Sequence[datetime]) -> list[MemoryRecord]:
        """Active episodes in ``scope`` said at any of ``times`` (to find exact repeats)."""

    @abstractmethod
    def idempotent_result(
        self, tenant_id: str | None, key: str, since: datetime
    ) -> IdempotentResult | None:
        """What was recorded under an idempotency key of the tenant, if not older than ``since``."""

    @abstractmethod
    def save_idempotent(
        self,
        tenant_id: str | None,
        key: str,
        fingerprint: str,
        result: Sequence[Sequence[str]],
        at: datetime,
        expired_before: datetime,
    ) -> None:
        """Record a key in the current transaction; a key already recorded is a conflict."""

    @abstractmethod
    def next_seq(self, scope: Scope) -> int:
        """The position the next episode of ``scope``'s session will take."""

    @abstractmethod
    def events(self, memory_id: str) -> list[MemoryEvent]:
        """Every recorded change of one memory, oldest first."""

    @abstractmethod
    def all_events(self) -> Iterator[MemoryEvent]:
        """Every recorded event, oldest first (for export)."""

    @abstractmethod
    def import_event(self, event: MemoryEvent) -> None:
        """Append a recorded event (for import); it gets the next event id."""

    @abstractmethod
    def vectors_of(self, ids: Sequence[str]) -> dict[str, Vector]:
        """Stored vectors by memory id."""

    @abstractmethod
    def set_vectors(self, vectors: dict[str, Vector]) -> None:
        """Replace stored vectors (for re-indexing)."""

    @abstractmethod
    def get_meta(self, key: str) -> str | None:
        """A store-level setting, e.g. the embedder identity."""

    @abstractmethod
    def set_meta(self, key: str, value: str) -> None:
        """Record a store-level setting."""

    @abstractmethod
    def stats(self) -> dict[str, Any]:
        """Counts and sizes, for ``engramdb stats``."""

    @abstractmethod
    def close(self) -> None:
        """Flush indexes and release the store."""
