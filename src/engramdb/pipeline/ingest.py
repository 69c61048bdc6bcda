"""Turn validated messages into episodes, embed them, and persist them in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engramdb.model.ids import new_id
from engramdb.model.memory import MemoryKind, MemoryRecord, Scope
from engramdb.pipeline.normalize import Turn
from engramdb.ports.clock import Clock
from engramdb.ports.embedder import Embedder
from engramdb.ports.store import MemoryStore

__all__ = ["AddRequest", "build_episodes", "embedding_text", "ingest"]


def embedding_text(text: str, speaker: str | None) -> str:
    """What the embedder sees: the speaker's name keeps "who said it" in the vector."""
    return f"{speaker}: {text}" if speaker else text


def build_episodes(
    turns: Sequence[Turn],
    scope: Scope,
    *,
    timestamp: datetime | None,
    metadata: dict[str, Any],
    first_seq: int,
    now: datetime,
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


def ingest(
    store: MemoryStore,
    embedder: Embedder,
    clock: Clock,
    requests: Sequence[AddRequest],
    *,
    actor: str,
) -> list[list[MemoryRecord]]:
    """Store every request's turns as episodes, in one transaction; durable on return.

    All texts are embedded in one call first (length-sorted batches across requests),
    so a failing embedder changes nothing and searches are not blocked meanwhile.
    """
    texts = [embedding_text(t.content, t.name) for r in requests for t in r.turns]
    vectors = list(embedder.embed_many(texts))
    stored: list[list[MemoryRecord]] = []
    with store.atomic():
        now = clock.now()
        for request in requests:
            episodes = build_episodes(
                request.turns,
                request.scope,
                timestamp=request.timestamp,
                metadata=request.metadata,
                first_seq=store.next_seq(request.scope),
                now=now,
            )
            store.insert(episodes, vectors[: len(episodes)], actor)
            del vectors[: len(episodes)]
            stored.append(episodes)
    return stored
