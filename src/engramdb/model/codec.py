"""Lossless conversion of domain objects to and from JSON-compatible dicts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engramdb.model.memory import MemoryKind, MemoryRecord, MemoryStatus, Scope

__all__ = [
    "dt_from_iso",
    "dt_to_iso",
    "memory_from_dict",
    "memory_to_dict",
    "scope_from_dict",
    "scope_to_dict",
]

_TIME_FIELDS = (
    "occurred_at",
    "recorded_at",
    "valid_from",
    "valid_to",
    "expired_at",
    "last_used_at",
    "expires_at",
)


def dt_to_iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset, microsecond precision, so strings sort like times in UTC."""
    if value is None:
        return None
    return value.isoformat(timespec="microseconds")


def dt_from_iso(value: str | None) -> datetime | None:
    """Inverse of :func:`dt_to_iso`."""
    return None if value is None else datetime.fromisoformat(value)


def memory_to_dict(memory: MemoryRecord) -> dict[str, Any]:
    """Every field of ``memory`` as JSON-compatible values."""
    data: dict[str, Any] = {
        "id": memory.id,
        "kind": memory.kind.value,
        "text": memory.text,
        **scope_to_dict(memory.scope),
        "role": memory.role,
        "speaker": memory.speaker,
        "metadata": memory.metadata,
        "status": memory.status.value,
        "version": memory.version,
        "seq": memory.seq,
        "sources": list(memory.sources),
        "superseded_by": memory.superseded_by,
        "importance": memory.importance,
        "confidence": memory.confidence,
        "reading": memory.reading,
        "strength": memory.strength,
    }
    for name in _TIME_FIELDS:
        data[name] = dt_to_iso(getattr(memory, name))
    return data


def memory_from_dict(data: dict[str, Any]) -> MemoryRecord:
    """Inverse of :func:`memory_to_dict`."""
    times = {name: dt_from_iso(data.get(name)) for name in _TIME_FIELDS}
    occurred, recorded = times.pop("occurred_at"), times.pop("recorded_at")
    if occurred is None or recorded is None:
        raise ValueError("occurred_at and recorded_at are required")
    return MemoryRecord(
        id=data["id"],
        kind=MemoryKind(data["kind"]),
        text=data["text"],
        scope=scope_from_dict(data),
        occurred_at=occurred,
        recorded_at=recorded,
        role=data.get("role"),
        speaker=data.get("speaker"),
        metadata=dict(data.get("metadata") or {}),
        status=MemoryStatus(data.get("status", "active")),
        version=int(data.get("version", 1)),
        seq=data.get("seq"),
        sources=tuple(data.get("sources") or ()),
        superseded_by=data.get("superseded_by"),
        importance=float(data.get("importance", 0.5)),
        confidence=float(data.get("confidence", 1.0)),
        reading=data.get("reading"),
        strength=None if data.get("strength") is None else float(data["strength"]),
        **times,
    )


def scope_to_dict(scope: Scope) -> dict[str, str | None]:
    """Every scope key, ``None`` where unset."""
    return {
        "user_id": scope.user_id,
        "agent_id": scope.agent_id,
        "session_id": scope.session_id,
        "tenant_id": scope.tenant_id,
    }


def scope_from_dict(data: dict[str, Any]) -> Scope:
    """The scope keys of a record (missing keys are unset)."""
    return Scope(
        data.get("user_id"), data.get("agent_id"), data.get("session_id"), data.get("tenant_id")
    )
