"""Conversion between PostgreSQL rows and domain objects (the storage format of this backend).

Times are ``timestamptz`` (datetimes both ways), metadata and aliases ``jsonb``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from psycopg import sql

from engramdb.backends import _rows as shared
from engramdb.backends._rows import MEMORY_COLUMNS
from engramdb.backends._shared import event_payload
from engramdb.model.graph import Entity, Relation
from engramdb.model.keys import ApiKey
from engramdb.model.memory import EventKind, MemoryEvent, MemoryRecord, Scope

__all__ = [
    "INSERT_EVENT",
    "SELECT_MEMORIES",
    "entity_from_row",
    "event_from_row",
    "event_row",
    "key_from_row",
    "memory_from_row",
    "memory_params",
    "relation_from_row",
    "scope_of",
    "vector_of",
]

#: a memory's row with its source ids, in one statement (a search reads them together)
SELECT_MEMORIES = sql.SQL(
    "SELECT m.rid, {}, ARRAY(SELECT s.source_id FROM memory_sources s"
    " WHERE s.memory_id = m.id ORDER BY s.position) AS sources FROM memories m"
).format(sql.SQL(", ").join(sql.Identifier("m", c) for c in MEMORY_COLUMNS))
INSERT_EVENT = (
    "INSERT INTO memory_events (memory_id, kind, actor, at, user_id, agent_id, session_id,"
    " tenant_id, before, after) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def scope_of(row: dict[str, Any]) -> Scope:
    """The scope columns of a row (a table without a column leaves that key unset)."""
    return Scope(
        row.get("user_id"), row.get("agent_id"), row.get("session_id"), row.get("tenant_id")
    )


def memory_params(memory: MemoryRecord) -> tuple[Any, ...]:
    """Values for :data:`MEMORY_COLUMNS`: times as datetimes, metadata as JSON."""
    return shared.memory_values(memory, time=_same, metadata=json.dumps)


def memory_from_row(row: dict[str, Any]) -> MemoryRecord:
    """The memory of a row of :data:`SELECT_MEMORIES` (its source ids with it)."""
    return shared.memory_from_row(row, tuple(row["sources"]), time=_same, metadata=_same)


def event_row(
    memory_id: str,
    kind: EventKind,
    actor: str,
    at: datetime,
    scope: Scope,
    before: MemoryRecord | dict[str, Any] | None,
    after: MemoryRecord | dict[str, Any] | None,
) -> tuple[Any, ...]:
    """Values for :data:`INSERT_EVENT`."""
    return (memory_id, kind.value, actor, at, scope.user_id, scope.agent_id, scope.session_id,
            scope.tenant_id, event_payload(before), event_payload(after))  # fmt: skip


def event_from_row(row: dict[str, Any]) -> MemoryEvent:
    """The change a ``memory_events`` row records."""
    return MemoryEvent(
        id=int(row["id"]), memory_id=row["memory_id"], kind=EventKind(row["kind"]),
        actor=row["actor"], at=row["at"], scope=scope_of(row), before=row["before"],
        after=row["after"],
    )  # fmt: skip


def entity_from_row(row: dict[str, Any]) -> Entity:
    """The entity of an ``entities`` row."""
    return Entity(
        id=row["id"], name=row["name"], kind=row["kind"], scope=scope_of(row),
        created_at=row["created_at"], key=row["key"] or "", aliases=tuple(row["aliases"] or ()),
    )  # fmt: skip


def relation_from_row(row: dict[str, Any]) -> Relation:
    """The edge of a ``relations`` row."""
    return Relation(
        id=row["id"], subject_id=row["subject_id"], predicate=row["predicate"],
        object_value=row["object_value"], fact_id=row["fact_id"], scope=scope_of(row),
        object_id=row["object_id"], valid_from=row["valid_from"], valid_to=row["valid_to"],
    )  # fmt: skip


def key_from_row(row: dict[str, Any]) -> ApiKey:
    """The API key of an ``api_keys`` row (its digest stays in the table)."""
    return ApiKey(row["id"], row["prefix"], row["tenant_id"], row["name"], row["admin"],
                  row["created_at"], row["revoked_at"])  # fmt: skip


def vector_of(value: Any) -> Any:
    """Pgvector's ``Vector`` as a numpy array (other values as they are)."""
    return value.to_numpy() if hasattr(value, "to_numpy") else value


def _same(value: Any) -> Any:
    return value
