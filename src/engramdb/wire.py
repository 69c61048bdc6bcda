"""The JSON form of results, shared by the REST server and :class:`RemoteMemory`.

Each ``*_to_dict`` has a ``*_from_dict`` inverse, so an object read through the
server equals the one the engine returned.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from engramdb.answering import Answer, answer_from_dict
from engramdb.graph.profile import Profile, ProfileValue
from engramdb.model.codec import (
    dt_from_iso,
    dt_to_iso,
    memory_from_dict,
    memory_to_dict,
    scope_from_dict,
    scope_to_dict,
)
from engramdb.model.graph import Entity, EntityPage, Relation
from engramdb.model.jobs import Job, JobStatus
from engramdb.model.memory import EventKind, MemoryEvent, MemoryRecord
from engramdb.model.procedure import Procedure
from engramdb.model.query import Hit, Page, Signal
from engramdb.retrieval.context import Context, ContextItem

__all__ = [
    "context_from_dict",
    "entity_from_dict",
    "entity_page_from_dict",
    "entity_page_to_dict",
    "entity_to_dict",
    "event_from_dict",
    "event_to_dict",
    "from_wire",
    "hit_from_dict",
    "hit_to_dict",
    "job_from_dict",
    "page_from_dict",
    "page_to_dict",
    "procedure_from_dict",
    "profile_from_dict",
    "profile_to_dict",
    "relation_from_dict",
    "relation_to_dict",
    "to_wire",
]


def _required_time(value: Any, name: str) -> Any:
    parsed = dt_from_iso(value)
    if parsed is None:
        raise ValueError(f"{name} is required")
    return parsed


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    """A search hit: the memory, its score, the signals behind it and its source turns."""
    return {
        "memory": memory_to_dict(hit.memory),
        "score": hit.score,
        "why": [{"name": s.name, "rank": s.rank, "score": s.score, "via": s.via} for s in hit.why],
        "explanation": hit.explain(),
        "sources": [memory_to_dict(m) for m in hit.sources],
    }


def hit_from_dict(data: dict[str, Any]) -> Hit:
    """Inverse of :func:`hit_to_dict`."""
    return Hit(
        memory=memory_from_dict(data["memory"]),
        score=float(data["score"]),
        why=tuple(
            Signal(s["name"], int(s["rank"]), float(s["score"]), s.get("via")) for s in data["why"]
        ),
        sources=tuple(memory_from_dict(m) for m in data["sources"]),
    )


def page_to_dict(page: Page) -> dict[str, Any]:
    """A page of a listing and the cursor of the next one."""
    return {"memories": [memory_to_dict(m) for m in page.memories], "next_cursor": page.next_cursor}


def page_from_dict(data: dict[str, Any]) -> Page:
    """Inverse of :func:`page_to_dict`."""
    return Page([memory_from_dict(m) for m in data["memories"]], data.get("next_cursor"))


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
        at=_required_time(data["at"], "at"),
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
        created_at=_required_time(data["created_at"], "created_at"),
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


def entity_page_to_dict(page: EntityPage) -> dict[str, Any]:
    """An entity with its mentions, facts and relations."""
    return {
        "entity": entity_to_dict(page.entity),
        "mentions": [memory_to_dict(m) for m in page.mentions],
        "facts": [memory_to_dict(m) for m in page.facts],
        "relations": [relation_to_dict(r) for r in page.relations],
    }


def entity_page_from_dict(data: dict[str, Any]) -> EntityPage:
    """Inverse of :func:`entity_page_to_dict`."""
    return EntityPage(
        entity=entity_from_dict(data["entity"]),
        mentions=tuple(memory_from_dict(m) for m in data["mentions"]),
        facts=tuple(memory_from_dict(m) for m in data["facts"]),
        relations=tuple(relation_from_dict(r) for r in data["relations"]),
    )


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """A person's profile: each slot's values with the fact each comes from."""
    return {
        "person": entity_to_dict(profile.person),
        "slots": {
            slot: [
                {"value": v.value, "fact_id": v.fact_id, "predicate": v.predicate} for v in values
            ]
            for slot, values in profile.slots.items()
        },
        "summary": profile.as_dict(),
    }


def profile_from_dict(data: dict[str, Any]) -> Profile:
    """Inverse of :func:`profile_to_dict`."""
    return Profile(
        person=entity_from_dict(data["person"]),
        slots={
            slot: [ProfileValue(v["value"], v["fact_id"], v["predicate"]) for v in values]
            for slot, values in data["slots"].items()
        },
    )


def context_from_dict(data: dict[str, Any]) -> Context:
    """Inverse of :meth:`Context.to_dict <engramdb.retrieval.context.Context.to_dict>`."""

    def items(section: list[dict[str, Any]]) -> tuple[ContextItem, ...]:
        return tuple(
            ContextItem(memory_from_dict(i["memory"]), i["line"], tuple(i["cites"]))
            for i in section
        )

    return Context(
        query=data["query"],
        budget_tokens=int(data["budget_tokens"]),
        profile=tuple(data["profile"]),
        facts=items(data["facts"]),
        episodes=items(data["episodes"]),
        recent=items(data["recent"]),
        text=data["text"],
        tokens=int(data["tokens"]),
        sources=tuple(data["sources"]),
    )


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
        created_at=_required_time(data["created_at"], "created_at"),
        updated_at=_required_time(data["updated_at"], "updated_at"),
    )


def _to_dict(value: Any) -> dict[str, Any]:
    encoded: dict[str, Any] = value.to_dict()
    return encoded


# each result type and its (to JSON, from JSON) pair
_CODECS: dict[type, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    MemoryRecord: (memory_to_dict, memory_from_dict),
    Hit: (hit_to_dict, hit_from_dict),
    Page: (page_to_dict, page_from_dict),
    MemoryEvent: (event_to_dict, event_from_dict),
    Entity: (entity_to_dict, entity_from_dict),
    EntityPage: (entity_page_to_dict, entity_page_from_dict),
    Profile: (profile_to_dict, profile_from_dict),
    Context: (_to_dict, context_from_dict),
    Procedure: (_to_dict, procedure_from_dict),
    Job: (_to_dict, job_from_dict),
    Answer: (_to_dict, answer_from_dict),
}


def to_wire(value: Any, annotation: Any) -> Any:
    """The JSON form of an operation's result, by its declared type."""
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return [to_wire(v, item) for v in value]
    codec = _CODECS.get(annotation)
    return value if codec is None else codec[0](value)


def from_wire(data: Any, annotation: Any) -> Any:
    """Inverse of :func:`to_wire`: the result object from its JSON form."""
    if annotation is type(None):
        return None
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return [from_wire(v, item) for v in data]
    if annotation is int:
        return int(data)
    codec = _CODECS.get(annotation)
    return data if codec is None else codec[1](data)
