"""The entity graph in PostgreSQL: entities, mentions, relations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg import sql

from engramdb.backends.postgres.connection import PostgresConnection
from engramdb.backends.postgres.rows import entity_from_row, relation_from_row
from engramdb.model.graph import Entity, EntityMention, Relation
from engramdb.model.memory import Scope
from engramdb.ports.store import (
    GraphStore,
    GraphTable,
)

__all__ = ["PostgresGraph"]


class PostgresGraph(PostgresConnection, GraphStore):
    """Mixed into the store: the graph tables."""

    def save_entities(self, entities: Sequence[Entity]) -> None:
        """Upsert entities by id."""
        with self.atomic():
            for e in entities:
                self._run(
                    "INSERT INTO entities (id, name, kind, key, user_id, agent_id, tenant_id,"
                    " created_at, aliases) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
                    " aliases = excluded.aliases, key = excluded.key"
                    # an id of another tenant is never overwritten (import checks refuse it)
                    " WHERE entities.tenant_id IS NOT DISTINCT FROM excluded.tenant_id",
                    (e.id, e.name, e.kind, e.key, e.scope.user_id, e.scope.agent_id,
                     e.scope.tenant_id, e.created_at, json.dumps(list(e.aliases))),
                )  # fmt: skip

    def entities(self, scope: Scope) -> list[Entity]:
        """Entities of the scope's user / agent (of its tenant), oldest first."""
        rows = self._rows(
            "SELECT * FROM entities WHERE user_id IS NOT DISTINCT FROM %s AND agent_id IS NOT"
            " DISTINCT FROM %s AND tenant_id IS NOT DISTINCT FROM %s ORDER BY created_at, id",
            (scope.user_id, scope.agent_id, scope.tenant_id),
        )
        return [entity_from_row(r) for r in rows]

    def add_mentions(self, mentions: Sequence[EntityMention]) -> None:
        """Record mentions (duplicates ignored)."""
        with self.atomic():
            for m in mentions:
                self._run(
                    "INSERT INTO entity_mentions (entity_id, memory_id, role) VALUES (%s, %s, %s)"
                    " ON CONFLICT DO NOTHING",
                    (m.entity_id, m.memory_id, m.role),
                )

    def mentions(
        self, *, entity_ids: Sequence[str] = (), memory_ids: Sequence[str] = ()
    ) -> list[EntityMention]:
        """Mentions of entities, or in memories; both given: the intersection."""
        clauses, params = [], []
        if entity_ids:
            clauses.append("entity_id = ANY(%s)")
            params.append(list(entity_ids))
        if memory_ids:
            clauses.append("memory_id = ANY(%s)")
            params.append(list(memory_ids))
        if not clauses:
            return []
        rows = self._rows(
            "SELECT entity_id, memory_id, role FROM entity_mentions WHERE " + " AND ".join(clauses),
            params,
        )
        return [EntityMention(r["entity_id"], r["memory_id"], r["role"]) for r in rows]

    def newest_mentions(self, entity_id: str, limit: int) -> tuple[list[str], int]:
        """The newest ``limit`` mentioning memories, read backwards along the primary key."""
        newest = self._rows(
            "SELECT memory_id FROM entity_mentions WHERE entity_id = %s"
            " ORDER BY memory_id DESC LIMIT %s",
            (entity_id, limit),
        )
        total = self._rows(
            "SELECT count(*) AS n FROM entity_mentions WHERE entity_id = %s", (entity_id,)
        )[0]["n"]
        return [r["memory_id"] for r in reversed(newest)], int(total)

    def add_relations(self, relations: Sequence[Relation]) -> None:
        """Insert edges."""
        with self.atomic():
            for r in relations:
                self._run(
                    "INSERT INTO relations (id, subject_id, predicate, object_id, object_value,"
                    " fact_id, user_id, agent_id, tenant_id, valid_from, valid_to)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (id) DO NOTHING",
                    (r.id, r.subject_id, r.predicate, r.object_id, r.object_value, r.fact_id,
                     r.scope.user_id, r.scope.agent_id, r.scope.tenant_id, r.valid_from,
                     r.valid_to),
                )  # fmt: skip

    def relations(
        self,
        scope: Scope,
        *,
        entity_ids: Sequence[str] = (),
        predicate: str | None = None,
        current_only: bool = False,
    ) -> list[Relation]:
        """Edges of the scope's user / agent, filtered."""
        clauses = [
            "user_id IS NOT DISTINCT FROM %s AND agent_id IS NOT DISTINCT FROM %s"
            " AND tenant_id IS NOT DISTINCT FROM %s"
        ]
        params: list[Any] = [scope.user_id, scope.agent_id, scope.tenant_id]
        if entity_ids:
            clauses.append("(subject_id = ANY(%s) OR object_id = ANY(%s))")
            params += [list(entity_ids), list(entity_ids)]
        if predicate is not None:
            clauses.append("predicate = %s")
            params.append(predicate)
        if current_only:
            clauses.append("valid_to IS NULL")
        rows = self._rows(
            "SELECT * FROM relations WHERE " + " AND ".join(clauses)
            + " ORDER BY valid_from NULLS FIRST, id",
            params,
        )  # fmt: skip
        return [relation_from_row(r) for r in rows]

    def dump_graph(self) -> tuple[list[Entity], list[EntityMention], list[Relation]]:
        """Everything in the graph."""
        entities = [
            entity_from_row(r) for r in self._rows("SELECT * FROM entities ORDER BY created_at, id")
        ]
        mentions = [
            EntityMention(r["entity_id"], r["memory_id"], r["role"])
            for r in self._rows("SELECT * FROM entity_mentions")
        ]
        relations = [
            relation_from_row(r) for r in self._rows("SELECT * FROM relations ORDER BY id")
        ]
        return entities, mentions, relations

    def end_relations(self, fact_id: str, valid_to: datetime) -> None:
        """Mark the edges asserted by ``fact_id`` as no longer true."""
        self._run(
            "UPDATE relations SET valid_to = %s WHERE fact_id = %s AND valid_to IS NULL",
            (valid_to, fact_id),
        )

    def reopen_relations(self, fact_id: str) -> None:
        """Mark the edges asserted by ``fact_id`` as true again."""
        self._run("UPDATE relations SET valid_to = NULL WHERE fact_id = %s", (fact_id,))

    def graph_tenants(self, table: GraphTable, ids: Sequence[str]) -> dict[str, str | None]:
        """The tenant of each existing id among ``ids``."""
        rows = self._rows(
            sql.SQL("SELECT id, tenant_id FROM {} WHERE id = ANY(%s)").format(
                sql.Identifier(table)
            ),
            [list(ids)],
        )
        return {r["id"]: r["tenant_id"] for r in rows}
