"""Entities, their mentions and relations: the knowledge graph."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from engramdb.model.memory import MemoryRecord, Scope

__all__ = ["Entity", "EntityMention", "EntityPage", "Relation", "entity_key"]

_TRAILING = re.compile(r"(?:['’]s|[.,!?;:])+$")


@lru_cache(maxsize=65536)  # a conversation names the same few people and places again and again
def entity_key(name: str) -> str:
    """The normalised name that links mentions: ``"The Eiffel Tower's"`` -> ``"eiffel tower"``."""
    key = _TRAILING.sub("", " ".join(name.split()).lower())
    return key.removeprefix("the ").strip()


@dataclass(frozen=True, slots=True)
class Entity:
    """A person, place, organisation, pet, event or work mentioned in memories.

    Attributes:
        id: stable identifier.
        name: canonical display name.
        kind: coarse type, e.g. ``"person"``, ``"place"``.
        scope: namespace the entity belongs to (user and/or agent; never one session).
        created_at: when the system first saw it.
        key: normalised name that links mentions across sessions.
        aliases: other names that refer to the same entity ("Mel", "Melanie's sister").
    """

    id: str
    name: str
    kind: str
    scope: Scope
    created_at: datetime
    key: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EntityMention:
    """One memory mentioning one entity, and how (speaker, addressee, named, pronoun, subject)."""

    entity_id: str
    memory_id: str
    role: str


@dataclass(frozen=True, slots=True)
class Relation:
    """A subject-predicate-object edge, backed by the fact memory that asserts it.

    Attributes:
        id: stable identifier.
        subject_id: entity id of the subject.
        predicate: normalised predicate, e.g. ``"lives_in"``.
        object_id: entity id of the object, when the object is an entity.
        object_value: the object as text ("Boston", "32"), always set.
        fact_id: the fact memory that asserts the edge (its provenance).
        scope: namespace.
        valid_from: when the relation became true in the world.
        valid_to: when it stopped being true (``None``: still true).
    """

    id: str
    subject_id: str
    predicate: str
    object_value: str | None
    fact_id: str
    scope: Scope
    object_id: str | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class EntityPage:
    """Everything known about one entity.

    Attributes:
        entity: the entity.
        mentions: the memories that mention it (turns and facts), oldest first; the newest
            stored ones only, when there are more than the page's limit.
        facts: the fact memories about it, current and superseded: those among the mentions,
            and those that assert its relations.
        relations: its edges, oldest first (``valid_to`` set once no longer true); the newest
            ones only, when there are more than the limit.
        mention_count: how many memories mention it in all.
        relation_count: how many edges it has in all.
    """

    entity: Entity
    mentions: tuple[MemoryRecord, ...]
    facts: tuple[MemoryRecord, ...]
    relations: tuple[Relation, ...]
    mention_count: int = 0
    relation_count: int = 0
