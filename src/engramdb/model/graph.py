"""Entities and relations of the knowledge graph."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engramdb.model.memory import Scope

__all__ = ["Entity", "Relation"]


@dataclass(frozen=True, slots=True)
class Entity:
    """A person, place, organisation, pet, event or work mentioned in memories.

    Attributes:
        id: stable identifier.
        name: canonical display name.
        kind: coarse type, e.g. ``"person"``, ``"place"``.
        aliases: other names that refer to the same entity.
        scope: namespace the entity belongs to.
        created_at: when the system first saw it.
    """

    id: str
    name: str
    kind: str
    scope: Scope
    created_at: datetime
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Relation:
    """A subject-predicate-object edge, backed by the fact memory that asserts it.

    Attributes:
        id: stable identifier.
        subject_id: entity id of the subject.
        predicate: normalised verb phrase, e.g. ``"lives_in"``.
        object_id: entity id of the object.
        fact_id: the fact memory that asserts the edge (its provenance).
        scope: namespace.
        valid_from: when the relation became true in the world.
        valid_to: when it stopped being true (``None``: still true).
    """

    id: str
    subject_id: str
    predicate: str
    object_id: str
    fact_id: str
    scope: Scope
    valid_from: datetime | None = None
    valid_to: datetime | None = None
