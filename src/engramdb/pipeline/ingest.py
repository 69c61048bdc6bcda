"""Turn validated messages into episodes, embed them, and persist them in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from engramdb.model.ids import new_id
from engramdb.model.memory import MemoryKind, MemoryRecord, Scope
from engramdb.pipeline.normalize import Turn
from engramdb.pipeline.understand.analyze import Analyzer
from engramdb.pipeline.understand.pipeline import Understood, apply_understanding, understand
from engramdb.pipeline.unit_of_work import run_atomically
from engramdb.ports.clock import Clock
from engramdb.ports.embedder import Embedder
from engramdb.ports.store import MemoryStore

__all__ = ["AddRequest", "build_episodes", "embedding_text", "ingest", "revise_episode"]


def embedding_text(memory: MemoryRecord) -> str:
    """What the embedder sees for a memory.

    The speaker's name keeps "who said it" in the vector, and the resolved reading
    (when there is one) says who "I" and "she" are and when "last week" was.
    """
    text = memory.reading or memory.text
    return f"{memory.speaker}: {text}" if memory.speaker else text


def build_episodes(
    turns: Sequence[Turn],
    scope: Scope,
    *,
    timestamp: datetime | None,
    metadata: dict[str, Any],
    first_seq: int,
    now: datetime,
    importance: float = 0.5,
    expires_at: datetime | None = None,
) -> list[MemoryRecord]:
    """One immutable episode per turn, in order, positioned after ``first_seq - 1``."""
    episodes = []
    for offset, turn in enumerate(turns):
        occurred = turn.timestamp or timestamp or now
        episodes.append(
            MemoryRecord(
                id=new_id(now),
                kind=MemoryKind.EPISODE,
                text=turn.content,
                scope=scope,
                occurred_at=occurred,
                recorded_at=now,
                role=turn.role,
                speaker=turn.name,
                metadata={**metadata, **turn.metadata},
                valid_from=occurred,
                seq=first_seq + offset,
                importance=importance,
                expires_at=expires_at,
            )
        )
    return episodes


@dataclass(frozen=True, slots=True)
class AddRequest:
    """One validated ``add`` call: turns, where they go, when they were said."""

    turns: Sequence[Turn]
    scope: Scope
    timestamp: datetime | None
    metadata: dict[str, Any]
    importance: float = 0.5
    expires_at: datetime | None = None


def ingest(
    store: MemoryStore,
    embedder: Embedder,
    clock: Clock,
    requests: Sequence[AddRequest],
    *,
    actor: str,
    analyzer: Analyzer | None = None,
    on_stored: Callable[[list[list[MemoryRecord]]], None] | None = None,
) -> list[list[MemoryRecord]]:
    """Store every request's turns as episodes, in one transaction; durable on return.

    ``on_stored`` is called with the stored episodes inside that transaction (to queue
    work about them atomically, e.g. LLM extraction jobs).

    With an ``analyzer``, each request's turns are also understood: the episodes
    get their resolved reading, facts are stored with their source turns, and the
    entity graph is updated, in the same transaction. Everything is analysed and
    embedded first (length-sorted batches across requests), so a failing model
    changes nothing and searches are not blocked meanwhile.
    """
    now = clock.now()
    prepared: list[list[Understood]] = []
    for request in requests:
        episodes = build_episodes(
            request.turns,
            request.scope,
            timestamp=request.timestamp,
            metadata=request.metadata,
            first_seq=0,
            now=now,
            importance=request.importance,
            expires_at=request.expires_at,
        )
        if analyzer is None:
            prepared.append([Understood(e, (), ()) for e in episodes])
        else:
            prepared.append(understand(analyzer, episodes, now))
    texts = [
        embedding_text(memory)
        for items in prepared
        for item in items
        for memory in (item.episode, *item.fact_memories)
    ]
    vectors = list(embedder.embed_many(texts))

    def write() -> list[list[MemoryRecord]]:
        stored: list[list[MemoryRecord]] = []
        remaining = list(vectors)
        for request, items in zip(requests, prepared, strict=True):
            first = store.next_seq(request.scope)
            memories: list[MemoryRecord] = []
            positioned: list[MemoryRecord] = []
            for offset, item in enumerate(items):
                episode = replace(item.episode, seq=first + offset)
                positioned.append(episode)
                memories += [episode, *item.fact_memories]
            store.insert(memories, remaining[: len(memories)], actor)
            del remaining[: len(memories)]
            if analyzer is not None:
                apply_understanding(store, items, request.scope, now, actor)
            stored.append(positioned)
        if on_stored is not None:
            on_stored(stored)
        return stored

    return run_atomically(store, write)


def revise_episode(
    store: MemoryStore,
    embedder: Embedder,
    changed: MemoryRecord,
    *,
    now: datetime,
    actor: str,
    analyzer: Analyzer | None,
) -> MemoryRecord:
    """Store a memory's new text; for an episode, re-derive its reading and facts.

    The facts drawn from the old text are deleted (they no longer have a source
    saying them) and the new text is understood again, in one transaction.
    """
    if analyzer is None:
        store.replace(changed, embedder.embed(embedding_text(changed)), actor, now)
        return changed
    understood = understand(analyzer, [changed], now)[0]
    changed, facts = understood.episode, understood.fact_memories
    vectors = embedder.embed_many([embedding_text(m) for m in (changed, *facts)])
    with store.atomic():
        derived = store.derived_ids([changed.id])
        if derived:
            store.delete(derived, actor, now)
        store.replace(changed, vectors[0], actor, now)
        store.insert(facts, list(vectors[1:]), actor)
        apply_understanding(store, [understood], changed.scope, now, actor)
    return changed
