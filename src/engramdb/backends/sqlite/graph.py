"""The entity graph of the SQLite backend: entities, mentions and relations tables."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from engramdb.backends.sqlite._rows import to_db_time
from engramdb.backends.sqlite.sql import chunks, marks
from engramdb.model.codec import dt_from_iso
from engramdb.model.graph import Entity, EntityMention, Relation
from engramdb.model.memory import Scope
from engramdb.ports.store import GraphStore, GraphTable

__all__ = ["SQLiteGraph"]

_GRAPH_TABLES: dict[GraphTable, str] = {"entities": "entities", "relations": "relations"}


def _entity_scope_sql(scope: Scope) -> tuple[str, list[str | None]]:
    """Entities belong to a user and/or agent (of a tenant); ``IS`` matches an unset key too."""
    return (
        "user_id IS ? AND agent_id IS ? AND tenant_id IS ?",
        [scope.user_id, scope.agent_id, scope.tenant_id],
    )


class SQLiteGraph(GraphStore):
    """Mixed into the SQLite store; uses its connection and unit of work."""

    _conn: sqlite3.Connection
    atomic: Callable[[], AbstractContextManager[None]]  # the store's unit of work

    def save_entities(self, entities: Sequence[Entity]) -> None:
        """Upsert entities by id."""
        with self.atomic():
            self._conn.executemany(
                "INSERT INTO entities (id, name, kind, user_id, agent_id, tenant_id, created_at,"
                " aliases, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
                " aliases = excluded.aliases, key = excluded.key"
                # an id of another tenant is never overwritten (import checks refuse it first)
                " WHERE entities.tenant_id IS excluded.tenant_id",
                [
                    (
                        e.id,
                        e.name,
                        e.kind,
                        e.scope.user_id,
                        e.scope.agent_id,
                        e.scope.tenant_id,
                        to_db_time(e.created_at),
                        json.dumps(list(e.aliases), ensure_ascii=False),
                        e.key,
                    )
                    for e in entities
                ],
            )

    def entities(self, scope: Scope) -> list[Entity]:
        """Entities of the scope's user/agent, oldest first."""
        where, params = _entity_scope_sql(scope)
        return self._entities(where, params)

    def _entities(self, where: str, params: Sequence[str | None]) -> list[Entity]:
        rows = self._conn.execute(
            "SELECT id, name, kind, user_id, agent_id, created_at, aliases, key, tenant_id"
            " FROM entities"
            f" WHERE {where} ORDER BY created_at, id",
            list(params),
        )
        return [
            Entity(
                id=r[0],
                name=r[1],
                kind=r[2],
                scope=Scope(r[3], r[4], None, r[8]),
                created_at=dt_from_iso(r[5]) or datetime.min,
                aliases=tuple(json.loads(r[6])),
                key=r[7],
            )
            for r in rows
        ]

    def add_mentions(self, mentions: Sequence[EntityMention]) -> None:
        """Insert mentions; a repeated (entity, memory) pair keeps its first role."""
        with self.atomic():
            self._conn.executemany(
                "INSERT OR IGNORE INTO entity_mentions (entity_id, memory_id, role)"
                " VALUES (?, ?, ?)",
                [(m.entity_id, m.memory_id, m.role) for m in mentions],
            )

    def mentions(
        self, *, entity_ids: Sequence[str] = (), memory_ids: Sequence[str] = ()
    ) -> list[EntityMention]:
        """Mentions by entity, by memory, or by both (the memories bound the work)."""
        found: list[EntityMention] = []
        column, ids = ("memory_id", memory_ids) if memory_ids else ("entity_id", entity_ids)
        extra, params = "", list(entity_ids if memory_ids else ())
        if params:
            extra = f" AND entity_id IN ({marks(params)})"
        for chunk in chunks(ids):
            rows = self._conn.execute(
                "SELECT entity_id, memory_id, role FROM entity_mentions"
                f" WHERE {column} IN ({marks(chunk)}){extra}",
                [*chunk, *params],
            )
            found.extend(EntityMention(*row) for row in rows)
        return found

    def newest_mentions(self, entity_id: str, limit: int) -> tuple[list[str], int]:
        """The newest ``limit`` mentioning memories, read backwards along the primary key."""
        newest = self._conn.execute(
            "SELECT memory_id FROM entity_mentions WHERE entity_id = ?"
            " ORDER BY memory_id DESC LIMIT ?",
            (entity_id, limit),
        ).fetchall()
        (total,) = self._conn.execute(
            "SELECT count(*) FROM entity_mentions WHERE entity_id = ?", (entity_id,)
        ).fetchone()
        return [r[0] for r in reversed(newest)], int(total)

    def add_relations(self, relations: Sequence[Relation]) -> None:
        """Insert edges."""
        with self.atomic():
            self._conn.executemany(
                "INSERT INTO relations (id, subject_id, predicate, object_id, object_value,"
                " fact_id, user_id, agent_id, tenant_id, valid_from, valid_to)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                [
                    (
                        r.id,
                        r.subject_id,
                        r.predicate,
                        r.object_id,
                        r.object_value,
                        r.fact_id,
                        r.scope.user_id,
                        r.scope.agent_id,
                        r.scope.tenant_id,
                        to_db_time(r.valid_from),
                        to_db_time(r.valid_to),
                    )
                    for r in relations
                ],
            )

    def relations(
        self,
        scope: Scope,
        *,
        entity_ids: Sequence[str] = (),
        predicate: str | None = None,
        current_only: bool = False,
    ) -> list[Relation]:
        """Edges of the scope's user/agent, filtered."""
        where, params = _entity_scope_sql(scope)
        clauses: list[str] = [where]
        values: list[str | None] = list(params)
        if entity_ids:
            ids = marks(entity_ids)
            clauses.append(f"(subject_id IN ({ids}) OR object_id IN ({ids}))")
            values.extend([*entity_ids, *entity_ids])
        if predicate is not None:
            clauses.append("predicate = ?")
            values.append(predicate)
        if current_only:
            clauses.append("valid_to IS NULL")
        return self._relations(" AND ".join(clauses), values)

    def _relations(self, where: str, values: Sequence[str | None]) -> list[Relation]:
        rows = self._conn.execute(
            "SELECT id, subject_id, predicate, object_id, object_value, fact_id, user_id,"
            f" agent_id, valid_from, valid_to, tenant_id FROM relations WHERE {where}"
            " ORDER BY valid_from, id",
            list(values),
        )
        return [
            Relation(
                id=r[0],
                subject_id=r[1],
                predicate=r[2],
                object_id=r[3],
                object_value=r[4],
                fact_id=r[5],
                scope=Scope(r[6], r[7], None, r[10]),
                valid_from=dt_from_iso(r[8]),
                valid_to=dt_from_iso(r[9]),
            )
            for r in rows
        ]

    def dump_graph(self) -> tuple[list[Entity], list[EntityMention], list[Relation]]:
        """The whole graph, for export."""
        rows = self._conn.execute(
            "SELECT entity_id, memory_id, role FROM entity_mentions ORDER BY entity_id, memory_id"
        )
        mentions = [EntityMention(*row) for row in rows]
        return self._entities("1", []), mentions, self._relations("1", [])

    def end_relations(self, fact_id: str, valid_to: datetime) -> None:
        """Close the edges of one fact."""
        with self.atomic():
            self._conn.execute(
                "UPDATE relations SET valid_to = ? WHERE fact_id = ? AND valid_to IS NULL",
                (to_db_time(valid_to), fact_id),
            )

    def reopen_relations(self, fact_id: str) -> None:
        """Mark the edges of one fact as true again."""
        with self.atomic():
            self._conn.execute("UPDATE relations SET valid_to = NULL WHERE fact_id = ?", (fact_id,))

    def graph_tenants(self, table: GraphTable, ids: Sequence[str]) -> dict[str, str | None]:
        """The tenant of each existing id among ``ids``."""
        found: dict[str, str | None] = {}
        for chunk in chunks(ids):
            rows = self._conn.execute(
                f"SELECT id, tenant_id FROM {_GRAPH_TABLES[table]} WHERE id IN ({marks(chunk)})",
                chunk,
            )
            found.update((r[0], r[1]) for r in rows)
        return found

    def _drop_orphan_entities(self) -> None:
        """Entities nothing mentions any more (their memories were deleted) go too."""
        self._conn.execute(
            "DELETE FROM entities WHERE NOT EXISTS"
            " (SELECT 1 FROM entity_mentions em WHERE em.entity_id = entities.id)"
        )
