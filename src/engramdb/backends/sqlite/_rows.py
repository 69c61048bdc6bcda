"""Conversion between ``memories`` / ``memory_events`` rows and domain objects."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from engramdb.backends import _rows as shared
from engramdb.backends._rows import MEMORY_COLUMNS
from engramdb.model.codec import dt_from_iso, scope_from_dict
from engramdb.model.memory import EventKind, MemoryEvent, MemoryRecord

__all__ = [
    "MEMORY_COLUMNS",
    "event_from_row",
    "memory_from_row",
    "memory_params",
    "to_db_time",
]


def to_db_time(value: datetime | None) -> str | None:
    """Times are stored as UTC ISO strings so that they compare as times."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def memory_params(memory: MemoryRecord) -> tuple[Any, ...]:
    """Values for :data:`MEMORY_COLUMNS`, in order: times as UTC text, metadata as JSON."""
    return shared.memory_values(memory, time=to_db_time, metadata=_metadata_text)


def memory_from_row(row: sqlite3.Row, sources: tuple[str, ...]) -> MemoryRecord:
    """Build a :class:`MemoryRecord` from a ``memories`` row and its source ids."""
    return shared.memory_from_row(row, sources, time=dt_from_iso, metadata=json.loads)


def _metadata_text(metadata: dict[str, Any]) -> str:
    return json.dumps(metadata, ensure_ascii=False, sort_keys=True)


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
