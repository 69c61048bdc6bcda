"""Turn validated messages into episodes, embed them, and persist them in one transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from engramdb.model.ids import new_id
from engramdb.model.memory import MemoryKind, MemoryRecord, Scope
from engramdb.model.validation import Turn
from engramdb.pipeline.embed_queue import EmbedQueue
from engramdb.pipeline.passages import passages_of
from engramdb.pipeline.understand.analyze import Analyzer
from engramdb.pipeline.understand.link import EntityLinker, entity_scope
from engramdb.pipeline.understand.pipeline import Understood, apply_understanding, understand
from engramdb.pipeline.unit_of_work import run_atomically
from engramdb.pipeline.vectors import (
    embed_memories,
    embedding_texts,
    memory_vector,
    passage_embedding_texts,
)
from engramdb.ports.clock import Clock
from engramdb.ports.embedder import Embedder
from engramdb.ports.store import GraphStore, MemoryStore

#: turns from which the model leaves the parser a core while it parses them
SHARED_PARSE_TURNS = 16

__all__ = [
    "AddRequest",
    "build_episodes",
    "ingest",
    "request_fingerprint",
    "revise_episode",
]


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
    on_recorded: Callable[[list[list[MemoryRecord]]], None] | None = None,
) -> list[list[MemoryRecord]]:
    """Store every request's turns as episodes, in one transaction; durable on return.

    ``on_stored`` is called with the newly stored episodes inside that transaction (to
    queue work about them atomically, e.g. LLM extraction jobs), ``on_recorded`` with
    what is returned (to record an idempotency key atomically).

    A turn that repeats a stored one exactly (same scope, role, speaker, text, metadata
    and time, the time given by the caller) is not stored again: the stored episode is
    returned in its place. Turns of one request are never repeats of each other.

    With an ``analyzer``, each request's turns are also understood: the episodes
    get their resolved reading, facts are stored with their source turns, and the
    entity graph is updated, in the same transaction. Everything is analysed and
    embedded first (the model embeds passages, then what the parse yields, while the
    parser reads on: see :class:`EmbedQueue`), so a failing model changes nothing and
    searches are not blocked meanwhile.
    """
    now = clock.now()
    with EmbedQueue(embedder) as queue:
        # passages need no parse: the model embeds them first (their records are made
        # below, request by request, so ids keep the order of creation they always had)
        queue.add(
            [t for r in requests for e in _episodes(r, now) for t in passage_embedding_texts(e)]
        )
        queue.hand_over()
        prepared: list[list[Understood]] = []
        turns = sum(len(request.turns) for request in requests)
        # the parser takes a core meanwhile (a few turns parse in milliseconds: not worth it)
        with embedder.sharing_cores() if turns >= SHARED_PARSE_TURNS else nullcontext():
            for request in requests:
                items = _derive(_episodes(request, now), now, analyzer)
                prepared.append(items)
                queue.add(
                    [
                        t
                        for i in items
                        for m in (i.episode, *i.fact_memories)
                        for t in embedding_texts(m)
                    ]
                )
        vector_of = queue.vectors()

    def write() -> list[list[MemoryRecord]]:
        stored: list[list[MemoryRecord]] = []
        fresh: list[list[MemoryRecord]] = []
        linkers: dict[Scope, EntityLinker] = {}  # sessions of one user share their entities
        for request, items in zip(requests, prepared, strict=True):
            first = store.next_seq(request.scope)
            memories: list[MemoryRecord] = []
            memory_vectors: list[Any] = []
            positioned: list[MemoryRecord] = []
            new_items: list[Understood] = []
            for item, repeat in zip(items, _repeats(store, request, items), strict=True):
                if repeat is not None:  # said before, exactly: the stored turn stands for it
                    positioned.append(repeat)
                    continue
                episode = replace(item.episode, seq=first + len(new_items))
                new_items.append(replace(item, episode=episode))
                positioned.append(episode)
                memories += [episode, *item.derived]
                memory_vectors += [
                    memory_vector(m, vector_of.__getitem__) for m in (episode, *item.derived)
                ]
            store.insert(memories, memory_vectors, actor)
            if analyzer is not None and new_items:
                shared = entity_scope(request.scope)
                if shared not in linkers:
                    assert isinstance(store, GraphStore)
                    linkers[shared] = EntityLinker(store.entities(request.scope))
                apply_understanding(
                    store, new_items, request.scope, now, actor, linker=linkers[shared]
                )
            stored.append(positioned)
            fresh.append([item.episode for item in new_items])
        if on_stored is not None:
            on_stored(fresh)
        if on_recorded is not None:
            on_recorded(stored)
        return stored

    return run_atomically(store, write)


def _episodes(request: AddRequest, now: datetime) -> list[MemoryRecord]:
    return build_episodes(
        request.turns,
        request.scope,
        timestamp=request.timestamp,
        metadata=request.metadata,
        first_seq=0,
        now=now,
        importance=request.importance,
        expires_at=request.expires_at,
    )


def _derive(
    episodes: list[MemoryRecord], now: datetime, analyzer: Analyzer | None
) -> list[Understood]:
    """Each episode with what is drawn from it: reading and facts (if analysed), passages."""
    items = [Understood(e, (), ()) for e in episodes]
    if analyzer is not None:
        items = understand(analyzer, episodes, now)
    return [replace(item, passages=passages_of(item.episode, now)) for item in items]


def _repeats(
    store: MemoryStore, request: AddRequest, items: Sequence[Understood]
) -> list[MemoryRecord | None]:
    """For each item, the stored episode it repeats exactly, if any (each used once)."""
    given = [
        item.episode.occurred_at if turn.timestamp or request.timestamp else None
        for item, turn in zip(items, request.turns, strict=True)
    ]
    times = list({t for t in given if t is not None})
    if not times:  # said "now": never a repeat, and no query on the hot path
        return [None] * len(items)
    candidates = [e for e in store.episodes_at(request.scope, times) if e.scope == request.scope]
    if not candidates:
        return [None] * len(items)
    unused: dict[tuple[Any, ...], list[MemoryRecord]] = {}
    for episode in sorted(candidates, key=lambda e: (e.seq or 0, e.id)):
        unused.setdefault(_said(episode), []).append(episode)
    found: list[MemoryRecord | None] = []
    for item, when in zip(items, given, strict=True):
        matches = unused.get(_said(item.episode), []) if when is not None else []
        found.append(matches.pop(0) if matches else None)
    return found


def _said(episode: MemoryRecord) -> tuple[Any, ...]:
    """What makes two turns the same message."""
    metadata = json.dumps(episode.metadata, sort_keys=True, ensure_ascii=False)
    return (episode.role, episode.speaker, episode.text, metadata, episode.occurred_at)


def request_fingerprint(requests: Sequence[AddRequest]) -> str:
    """A digest of what a request asks to store (to tell a retry from a different request)."""
    payload = [
        {
            "turns": [[t.role, t.content, t.name, _iso(t.timestamp), t.metadata] for t in r.turns],
            "scope": r.scope.as_dict(),
            "timestamp": _iso(r.timestamp),
            "metadata": r.metadata,
            "importance": r.importance,
            "expires_at": _iso(r.expires_at),
        }
        for r in requests
    ]
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def revise(
    store: MemoryStore,
    embedder: Embedder,
    current: MemoryRecord,
    text: str,
    metadata: dict[str, Any],
    *,
    now: datetime,
    actor: str,
    analyzer: Analyzer | None,
) -> MemoryRecord:
    """Store the next version of a memory with this text and metadata.

    A new text is embedded again, and an episode's is understood again (see
    :func:`revise_episode`); the previous version stays in the memory's history.
    """
    changed = replace(current, text=text, metadata=metadata, version=current.version + 1)
    if text == current.text:
        with store.atomic():
            store.replace(changed, None, actor, now)
            _carry_metadata(store, changed, actor, now)
        return changed
    # the old reading and the facts drawn from the old text no longer hold
    episode = current.kind is MemoryKind.EPISODE
    return revise_episode(
        store, embedder, replace(changed, reading=None), now=now, actor=actor,
        analyzer=analyzer if episode else None,
    )  # fmt: skip


def _carry_metadata(store: MemoryStore, turn: MemoryRecord, actor: str, now: datetime) -> None:
    """Give a turn's passages its new metadata: a filter finds a turn's slices with it."""
    if turn.kind is not MemoryKind.EPISODE:
        return
    derived = store.get_many(store.derived_ids([turn.id])).values()
    for passage in (m for m in derived if m.kind is MemoryKind.PASSAGE):
        start = passage.metadata["passage_start"]
        metadata = {**turn.metadata, "passage_start": start}
        store.replace(
            replace(passage, metadata=metadata, version=passage.version + 1), None, actor, now
        )


def revise_episode(
    store: MemoryStore,
    embedder: Embedder,
    changed: MemoryRecord,
    *,
    now: datetime,
    actor: str,
    analyzer: Analyzer | None,
) -> MemoryRecord:
    """Store a memory's new text; for an episode, re-derive its reading, facts and passages.

    What was drawn from the old text is deleted (they no longer have a source
    saying them) and the new text is understood again, in one transaction.
    """
    [understood] = _derive([changed], now, analyzer)
    changed, derived = understood.episode, understood.derived
    vectors = embed_memories(embedder, [changed, *derived])
    with store.atomic():
        stale = store.derived_ids([changed.id]) if changed.kind is MemoryKind.EPISODE else []
        if stale:
            store.delete(stale, actor, now)
        store.replace(changed, vectors[0], actor, now)
        store.insert(derived, list(vectors[1:]), actor)
        if analyzer is not None:
            apply_understanding(store, [understood], changed.scope, now, actor)
    return changed
