"""The entity graph in the export format: entity, mention and relation records."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from engramdb.model.codec import dt_from_iso, dt_to_iso, scope_from_dict
from engramdb.model.graph import Entity, EntityMention, Relation

__all__ = ["GRAPH_TYPES", "GraphRecords", "graph_records"]

GRAPH_TYPES = frozenset({"entity", "mention", "relation"})


def graph_records(
    entities: Sequence[Entity], mentions: Sequence[EntityMention], relations: Sequence[Relation]
) -> Iterator[dict[str, Any]]:
    """Export records of a whole graph, entities first."""
    for e in entities:
        yield {
            "type": "entity", "id": e.id, "name": e.name, "kind": e.kind, "key": e.key,
            "aliases": list(e.aliases), "created_at": dt_to_iso(e.created_at), **e.scope.as_dict(),
        }  # fmt: skip
    for m in mentions:
        yield {
            "type": "mention",
            "entity_id": m.entity_id,
            "memory_id": m.memory_id,
            "role": m.role,
        }
    for r in relations:
        yield {
            "type": "relation", "id": r.id, "subject_id": r.subject_id, "predicate": r.predicate,
            "object_id": r.object_id, "object_value": r.object_value, "fact_id": r.fact_id,
            "valid_from": dt_to_iso(r.valid_from), "valid_to": dt_to_iso(r.valid_to),
            **r.scope.as_dict(),
        }  # fmt: skip


@dataclass
class GraphRecords:
    """Graph records read back from an export."""

    entities: list[Entity] = field(default_factory=list)
    mentions: list[EntityMention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    def add(self, record: dict[str, Any]) -> None:
        """Parse one record (``KeyError`` / ``ValueError`` on a malformed one)."""
        scope = replace(scope_from_dict(record), session_id=None)
        kind = record["type"]
        if kind == "entity":
            created = dt_from_iso(record["created_at"]) or datetime.min
            self.entities.append(
                Entity(
                    record["id"],
                    record["name"],
                    record["kind"],
                    scope,
                    created,
                    record.get("key", ""),
                    tuple(record.get("aliases", ())),
                )
            )
        elif kind == "mention":
            self.mentions.append(
                EntityMention(record["entity_id"], record["memory_id"], record["role"])
            )
        else:
            self.relations.append(
                Relation(
                    record["id"],
                    record["subject_id"],
                    record["predicate"],
                    record.get("object_value"),
                    record["fact_id"],
                    scope,
                    record.get("object_id"),
                    dt_from_iso(record.get("valid_from")),
                    dt_from_iso(record.get("valid_to")),
                )
            )
