"""The entity graph in the export format: entity, mention and relation records."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from engramdb.model.codec import (
    entity_from_dict,
    entity_to_dict,
    relation_from_dict,
    relation_to_dict,
)
from engramdb.model.graph import Entity, EntityMention, Relation

__all__ = ["GRAPH_TYPES", "graph_record", "graph_records"]

GRAPH_TYPES = frozenset({"entity", "mention", "relation"})


def graph_records(
    entities: Sequence[Entity], mentions: Sequence[EntityMention], relations: Sequence[Relation]
) -> Iterator[dict[str, Any]]:
    """Export records of a whole graph, entities first."""
    for e in entities:
        yield {"type": "entity", **entity_to_dict(e)}
    for m in mentions:
        yield {
            "type": "mention",
            "entity_id": m.entity_id,
            "memory_id": m.memory_id,
            "role": m.role,
        }
    for r in relations:
        yield {"type": "relation", **relation_to_dict(r)}


def graph_record(record: dict[str, Any]) -> Entity | EntityMention | Relation:
    """Parse one graph record (``KeyError`` / ``ValueError`` on a malformed one)."""
    kind = record["type"]
    if kind == "entity":
        return entity_from_dict(record)
    if kind == "mention":
        return EntityMention(record["entity_id"], record["memory_id"], record["role"])
    return relation_from_dict(record)
