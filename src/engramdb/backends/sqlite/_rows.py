"""Conversion between ``memories`` / ``memory_events`` rows and domain objects."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from engramdb.model.codec import dt_from_iso, memory_from_dict, scope_from_dict
from engramdb.model.memory import EventKind, MemoryEvent, MemoryRecord

__all__ = ["MEMORY_COLUMNS", "event_from_row", "memory_from_row", "memory_params", "to_db_time"]

MEMORY_COLUMNS = (
    "id",
    "kind",
    "text",
    "user_id",
    "agent_id",
    "session_id",
    "role",
    "speaker",
    "metadata",
    "occurred_at",
    "valid_from",
    "valid_to",
    "recorded_at",
    "expired_at",
    "status",
    "version",
    "seq",
    "superseded_by",
    "importance",
    "confidence",
    "reading",
    "tenant_id",
    "strength",
    "last_used_at",
    "expires_at",
)


def to_db_time(value: datetime | None) -> str | None:
    """Times are stored as UTC ISO strings so that they compare as times."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def memory_params(memory: MemoryRecord) -> tuple[Any, ...]:
    """Values for :data:`MEMORY_COLUMNS`, in order."""
    return (
        memory.id,
        memory.kind.value,
        memory.text,
        memory.scope.user_id,
        memory.scope.agent_id,
        memory.scope.session_id,
        memory.role,
        memory.speaker,
        json.dumps(memory.metadata, ensure_ascii=False, sort_keys=True),
        to_db_time(memory.occurred_at),
        to_db_time(memory.valid_from),
        to_db_time(memory.valid_to),
        to_db_time(memory.recorded_at),
        to_db_time(memory.expired_at),
        memory.status.value,
        memory.version,
        memory.seq,
        memory.superseded_by,
        memory.importance,
        memory.confidence,
        memory.reading,
        memory.scope.tenant_id,
        memory.strength,
        to_db_time(memory.last_used_at),
        to_db_time(memory.expires_at),
    )


def memory_from_row(row: sqlite3.Row, sources: tuple[str, ...]) -> MemoryRecord:
    """Build a :class:`MemoryRecord` from a ``memories`` row and its source ids."""
    data = {key: row[key] for key in MEMORY_COLUMNS}
    return memory_from_dict({**data, "metadata": json.loads(row["metadata"]), "sources": sources})


def event_from_row(row: sqlite3.Row) -> MemoryEvent:
    """Build a :class:`MemoryEvent` from a ``memory_events`` row."""
    at = dt_from_iso(row["at"])
    assert at is not None  # NOT NULL column
    return MemoryEvent(
        id=row["id"],
        memory_id=row["memory_id"],
        kind=EventKind(row["kind"]),
        actor=row["actor"],
        at=at,
        scope=scope_from_dict(dict(row)),
        before=json.loads(row["before"]) if row["before"] else None,
        after=json.loads(row["after"]) if row["after"] else None,
    )
