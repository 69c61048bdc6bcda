"""Entity linking: one entity per real thing, across sessions, by name, alias and nickname."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from engramdb.model.graph import Entity, entity_key
from engramdb.model.ids import new_id
from engramdb.model.memory import Scope
from engramdb.pipeline.understand.entities import Mention

__all__ = ["EntityLinker", "entity_scope"]

MIN_NICKNAME = 3


def entity_scope(scope: Scope) -> Scope:
    """Entities are shared by the sessions of a user / agent."""
    return replace(scope, session_id=None)


class EntityLinker:
    """Finds or creates the entity each mention refers to; remembers what changed."""

    def __init__(self, existing: list[Entity]) -> None:
        self._by_id: dict[str, Entity] = {}
        self._rank: dict[str, int] = {}  # the oldest entity of a name wins, as it did first
        self._by_key: dict[str, str] = {}  # name and alias keys -> entity id
        for entity in existing:
            self._keep(entity)
        self.changed: dict[str, Entity] = {}

    def _keep(self, entity: Entity) -> None:
        self._rank.setdefault(entity.id, len(self._rank))
        self._by_id[entity.id] = entity
        for key in {entity.key, *(entity_key(a) for a in entity.aliases)}:
            owner = self._by_key.get(key)
            if owner is None or self._rank[entity.id] < self._rank[owner]:
                self._by_key[key] = entity.id

    def link(self, mention: Mention, scope: Scope, now: datetime) -> Entity:
        """The entity ``mention`` refers to, created if new; aliases are added."""
        entity = self.find(mention.name, mention.kind)
        if entity is None:
            entity = Entity(
                new_id(now), mention.name, mention.kind, entity_scope(scope), now, mention.key
            )
        aliases = set(entity.aliases)
        if mention.key != entity.key:
            aliases.add(mention.name)
        if mention.alias:
            aliases.add(mention.alias)
        kind = mention.kind if entity.kind == "other" else entity.kind
        if aliases != set(entity.aliases) or kind != entity.kind or entity.id not in self._by_id:
            entity = replace(entity, aliases=tuple(sorted(aliases)), kind=kind)
            self._keep(entity)
            self.changed[entity.id] = entity
        return entity

    def take_changed(self) -> list[Entity]:
        """The entities created or changed since the last call (to save them)."""
        changed = list(self.changed.values())
        self.changed.clear()
        return changed

    def find(self, name: str, kind: str | None = None) -> Entity | None:
        """An existing entity called ``name`` (its key, an alias, or a nickname of a person)."""
        key = entity_key(name)
        if not key:
            return None
        if key in self._by_key:
            return self._by_id[self._by_key[key]]
        if kind in (None, "person", "other") and " " not in key and len(key) >= MIN_NICKNAME:
            return self._nickname(key)
        return None

    def _nickname(self, key: str) -> Entity | None:
        """Mel -> Melanie, when exactly one known person's first name starts with it."""
        people = [
            e
            for e in self._by_id.values()
            if e.kind == "person"
            and (first := e.key.split()[0]) != key
            and (first.startswith(key) or key.startswith(first))
            and min(len(first), len(key)) >= MIN_NICKNAME
        ]
        return people[0] if len(people) == 1 else None
