"""The ``memories`` table's columns and its row codec, shared by the SQL backends.

Each backend says how it stores a time and a metadata object (SQLite: UTC ISO text and
JSON text; PostgreSQL: ``timestamptz`` and ``jsonb``); the rest of a row is the same.
The row codec is the storage format: it does not follow the REST wire or export formats.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from engramdb.model.memory import MemoryKind, MemoryRecord, MemoryStatus, Scope

__all__ = ["MEMORY_COLUMNS", "Row", "memory_from_row", "memory_values"]

MEMORY_COLUMNS = (
    "id", "kind", "text", "user_id", "agent_id", "session_id", "role", "speaker", "metadata",
    "occurred_at", "valid_from", "valid_to", "recorded_at", "expired_at", "status", "version",
    "seq", "superseded_by", "importance", "confidence", "reading", "tenant_id", "strength",
    "last_used_at", "expires_at",
)  # fmt: skip


class Row(Protocol):
    """A database row: values by column name."""

    def __getitem__(self, key: str, /) -> Any:
        """The value of a column."""
        ...


TimeIn = Callable[[datetime | None], Any]
TimeOut = Callable[[Any], datetime | None]


def memory_values(
    memory: MemoryRecord, *, time: TimeIn, metadata: Callable[[dict[str, Any]], Any]
) -> tuple[Any, ...]:
    """The values of :data:`MEMORY_COLUMNS` for ``memory``, in order."""
    scope = memory.scope
    return (
        memory.id, memory.kind.value, memory.text, scope.user_id, scope.agent_id,
        scope.session_id, memory.role, memory.speaker, metadata(memory.metadata),
        time(memory.occurred_at), time(memory.valid_from), time(memory.valid_to),
        time(memory.recorded_at), time(memory.expired_at), memory.status.value,
        memory.version, memory.seq, memory.superseded_by, memory.importance,
        memory.confidence, memory.reading, scope.tenant_id, memory.strength,
        time(memory.last_used_at), time(memory.expires_at),
    )  # fmt: skip


def memory_from_row(
    row: Row,
    sources: tuple[str, ...],
    *,
    time: TimeOut,
    metadata: Callable[[Any], dict[str, Any]],
) -> MemoryRecord:
    """The memory a ``memories`` row holds (with its source ids, kept apart)."""
    occurred, recorded = time(row["occurred_at"]), time(row["recorded_at"])
    if occurred is None or recorded is None:  # NOT NULL columns
        raise ValueError(f"memory {row['id']}: occurred_at and recorded_at are required")
    strength = row["strength"]
    return MemoryRecord(
        id=row["id"],
        kind=MemoryKind(row["kind"]),
        text=row["text"],
        scope=Scope(row["user_id"], row["agent_id"], row["session_id"], row["tenant_id"]),
        occurred_at=occurred,
        recorded_at=recorded,
        role=row["role"],
        speaker=row["speaker"],
        metadata=dict(metadata(row["metadata"]) or {}),
        valid_from=time(row["valid_from"]),
        valid_to=time(row["valid_to"]),
        expired_at=time(row["expired_at"]),
        status=MemoryStatus(row["status"]),
        version=int(row["version"]),
        seq=row["seq"],
        sources=sources,
        superseded_by=row["superseded_by"],
        importance=float(row["importance"]),
        confidence=float(row["confidence"]),
        reading=row["reading"],
        strength=None if strength is None else float(strength),
        last_used_at=time(row["last_used_at"]),
        expires_at=time(row["expires_at"]),
    )
