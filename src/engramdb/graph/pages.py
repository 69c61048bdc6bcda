"""An entity's page and a person's profile, read from the graph through the port."""

from __future__ import annotations

from dataclasses import replace

from engramdb.errors import CapabilityMissing, NotFound
from engramdb.graph.profile import build_profile, profile_line
from engramdb.model.graph import Entity, EntityPage
from engramdb.model.memory import MemoryKind, Scope
from engramdb.model.profile import Profile
from engramdb.model.validation import check_text
from engramdb.pipeline.understand.link import EntityLinker
from engramdb.ports.store import GraphStore, MemoryStore
from engramdb.retrieval.focus import entities_in_query

__all__ = ["entity_page", "find_entity", "graph_of", "people_named", "profile_lines", "profile_of"]


def graph_of(store: MemoryStore) -> GraphStore:
    """The store's entity graph.

    Raises:
        CapabilityMissing: the store keeps no graph.
    """
    if not isinstance(store, GraphStore):
        raise CapabilityMissing("this store has no entity graph")
    return store


def find_entity(graph: GraphStore, name_or_id: str, scope: Scope) -> Entity:
    """An entity by id, name, alias or (for a person) nickname.

    Raises:
        InvalidInput: bad name.
        NotFound: no such entity in the scope.
    """
    check_text(name_or_id, "name")
    known = graph.entities(scope)
    found = next((e for e in known if e.id == name_or_id), None)
    found = found or EntityLinker(known).find(name_or_id)
    if found is None:
        raise NotFound(name_or_id, "entity")
    return found


def entity_page(store: MemoryStore, graph: GraphStore, entity: Entity, limit: int) -> EntityPage:
    """The entity with the memories that mention it (oldest first), its facts and relations.

    Only the newest ``limit`` mentions and relations (ids sort in the order stored), so that
    a page stays small for an entity of a million memories.
    """
    kept_ids, mention_count = graph.newest_mentions(entity.id, limit)
    relations = graph.relations(entity.scope, entity_ids=[entity.id])
    kept_relations = relations[-limit:]
    asserting = {r.fact_id for r in kept_relations} - set(kept_ids)
    memories = store.get_many([*kept_ids, *asserting])
    visible = [m for m in memories.values() if m.scope.tenant_id == entity.scope.tenant_id]
    ordered = sorted(visible, key=lambda m: (m.occurred_at, m.id))
    facts = tuple(m for m in ordered if m.kind is MemoryKind.FACT)
    mentions = tuple(m for m in ordered if m.id not in asserting)
    return EntityPage(entity, mentions, facts, tuple(kept_relations), mention_count, len(relations))


def profile_of(graph: GraphStore, entity: Entity) -> Profile:
    """What is known now about an entity, slot by slot."""
    current = graph.relations(entity.scope, entity_ids=[entity.id], current_only=True)
    return build_profile(entity, current)


def people_named(store: MemoryStore, query: str, scope: Scope) -> list[Entity]:
    """The known people a query names (none when the store keeps no graph)."""
    if not isinstance(store, GraphStore):
        return []
    known = store.entities(replace(scope, session_id=None))
    return [e for e in entities_in_query(query, known) if e.kind == "person"]


def profile_lines(graph: GraphStore, people: list[Entity]) -> list[str]:
    """One line per person, from what is known about them now."""
    return [line for line in (profile_line(profile_of(graph, p)) for p in people) if line]
