"""The JSON form of the stored records: times, scopes, memories, events, the graph, jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engramdb.model.graph import Entity, Relation
from engramdb.model.jobs import Job, JobStatus
from engramdb.model.keys import ApiKey
from engramdb.model.memory import (
    EventKind,
    MemoryEvent,
    MemoryKind,
    MemoryRecord,
    MemoryStatus,
    Scope,
)
from engramdb.model.procedure import Procedure

__all__ = [
    "dt_from_iso",
    "dt_to_iso",
    "entity_from_dict",
    "entity_to_dict",
    "event_from_dict",
    "event_to_dict",
    "job_from_dict",
    "job_to_dict",
    "key_to_dict",
    "memory_from_dict",
    "memory_to_dict",
    "procedure_from_dict",
    "procedure_to_dict",
    "relation_from_dict",
    "relation_to_dict",
    "required_time",
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


def required_time(value: Any, name: str) -> datetime:
    """A time that must be there."""
    parsed = dt_from_iso(value)
    if parsed is None:
        raise ValueError(f"{name} is required")
    return parsed


def event_to_dict(event: MemoryEvent) -> dict[str, Any]:
    """One change of a memory, with the memory's fields before and after it."""
    return {
        "id": event.id,
        "memory_id": event.memory_id,
        "kind": event.kind.value,
        "actor": event.actor,
        "at": dt_to_iso(event.at),
        **scope_to_dict(event.scope),
        "before": event.before,
        "after": event.after,
    }


def event_from_dict(data: dict[str, Any]) -> MemoryEvent:
    """Inverse of :func:`event_to_dict`."""
    return MemoryEvent(
        id=int(data["id"]),
        memory_id=data["memory_id"],
        kind=EventKind(data["kind"]),
        actor=data["actor"],
        at=required_time(data["at"], "at"),
        scope=scope_from_dict(data),
        before=data.get("before"),
        after=data.get("after"),
    )


def entity_to_dict(entity: Entity) -> dict[str, Any]:
    """A person, place, organisation, pet, event or work."""
    return {
        "id": entity.id,
        "name": entity.name,
        "kind": entity.kind,
        "key": entity.key,
        "aliases": list(entity.aliases),
        "created_at": dt_to_iso(entity.created_at),
        **scope_to_dict(entity.scope),
    }


def entity_from_dict(data: dict[str, Any]) -> Entity:
    """Inverse of :func:`entity_to_dict`."""
    return Entity(
        id=data["id"],
        name=data["name"],
        kind=data["kind"],
        scope=scope_from_dict(data),
        created_at=required_time(data["created_at"], "created_at"),
        key=data.get("key", ""),
        aliases=tuple(data.get("aliases", ())),
    )


def relation_to_dict(relation: Relation) -> dict[str, Any]:
    """A subject-predicate-object edge and the fact that asserts it."""
    return {
        "id": relation.id,
        "subject_id": relation.subject_id,
        "predicate": relation.predicate,
        "object_id": relation.object_id,
        "object_value": relation.object_value,
        "fact_id": relation.fact_id,
        "valid_from": dt_to_iso(relation.valid_from),
        "valid_to": dt_to_iso(relation.valid_to),
        **scope_to_dict(relation.scope),
    }


def relation_from_dict(data: dict[str, Any]) -> Relation:
    """Inverse of :func:`relation_to_dict`."""
    return Relation(
        id=data["id"],
        subject_id=data["subject_id"],
        predicate=data["predicate"],
        object_value=data.get("object_value"),
        fact_id=data["fact_id"],
        scope=scope_from_dict(data),
        object_id=data.get("object_id"),
        valid_from=dt_from_iso(data.get("valid_from")),
        valid_to=dt_from_iso(data.get("valid_to")),
    )


def job_to_dict(job: Job) -> dict[str, Any]:
    """A background LLM job, every field."""
    return {
        "id": job.id,
        "kind": job.kind,
        "scope": scope_to_dict(job.scope),
        "payload": job.payload,
        "status": job.status.value,
        "attempts": job.attempts,
        "error": job.error,
        "created_at": dt_to_iso(job.created_at),
        "updated_at": dt_to_iso(job.updated_at),
    }


def job_from_dict(data: dict[str, Any]) -> Job:
    """Inverse of :meth:`Job.to_dict <engramdb.model.jobs.Job.to_dict>`."""
    return Job(
        id=data["id"],
        kind=data["kind"],
        scope=scope_from_dict(data["scope"]),
        payload=dict(data["payload"]),
        status=JobStatus(data["status"]),
        attempts=int(data["attempts"]),
        error=data.get("error"),
        created_at=required_time(data["created_at"], "created_at"),
        updated_at=required_time(data["updated_at"], "updated_at"),
    )


def procedure_to_dict(procedure: Procedure) -> dict[str, Any]:
    """A learnt procedure with its success rate and pitfalls."""
    return {
        "id": procedure.id,
        "pattern": procedure.pattern,
        "example": procedure.example,
        "steps": list(procedure.steps),
        "successes": procedure.successes,
        "failures": procedure.failures,
        "success_rate": round(procedure.success_rate, 4),
        "pitfalls": list(procedure.pitfalls),
        "sources": list(procedure.sources),
        "similarity": procedure.similarity,
    }


def procedure_from_dict(data: dict[str, Any]) -> Procedure:
    """Inverse of :meth:`Procedure.to_dict <engramdb.model.procedure.Procedure.to_dict>`."""
    return Procedure(
        id=data["id"],
        pattern=data["pattern"],
        example=data["example"],
        steps=tuple(data["steps"]),
        successes=int(data["successes"]),
        failures=int(data["failures"]),
        pitfalls=tuple(data["pitfalls"]),
        sources=tuple(data["sources"]),
        similarity=float(data["similarity"]),
    )


def key_to_dict(key: ApiKey) -> dict[str, Any]:
    """An API key's public fields (never its secret)."""
    return {
        "id": key.id,
        "prefix": key.prefix,
        "tenant_id": key.tenant_id,
        "name": key.name,
        "admin": key.admin,
        "created_at": dt_to_iso(key.created_at),
        "revoked_at": dt_to_iso(key.revoked_at),
    }
