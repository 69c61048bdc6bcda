"""The PostgreSQL store's memory log: reading memories, their events, vectors and sessions."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from psycopg import sql

from engramdb.backends._shared import (
    around_each,
    neighbourhood_anchors,
    page_of,
    parse_cursor,
    parse_time_cursor,
    time_page_of,
)
from engramdb.backends.postgres.connection import PostgresConnection
from engramdb.backends.postgres.rows import (
    SELECT_MEMORIES,
    event_from_row,
    memory_from_row,
    scope_of,
    vector_of,
)
from engramdb.backends.postgres.sql import scope_where_sql
from engramdb.model.filters import Filter
from engramdb.model.memory import MemoryEvent, MemoryRecord, Scope
from engramdb.model.query import Page
from engramdb.ports.store import (
    SessionLog,
)
from engramdb.types import Vector

__all__ = ["PostgresLog"]


class PostgresLog(PostgresConnection):
    """Mixed into the store: reads through its connection."""

    def _memories(self, rows: Sequence[dict[str, Any]]) -> list[MemoryRecord]:
        return [memory_from_row(r) for r in rows]

    def get_many(self, ids: Sequence[str]) -> dict[str, MemoryRecord]:
        """The memories among ``ids`` that exist, by id."""
        rows = self._rows(sql.SQL("{} WHERE m.id = ANY(%s)").format(SELECT_MEMORIES), (list(ids),))
        return {m.id: m for m in self._memories(rows)}

    def get_with_sources(self, ids: Sequence[str]) -> dict[str, MemoryRecord]:
        """The memories among ``ids`` and those they were drawn from, in one statement."""
        rows = self._rows(
            sql.SQL(
                "{} WHERE m.id IN (SELECT unnest(%(ids)s::text[]) UNION"
                " SELECT source_id FROM memory_sources WHERE memory_id = ANY(%(ids)s))"
            ).format(SELECT_MEMORIES),
            {"ids": list(ids)},
        )
        return {m.id: m for m in self._memories(rows)}

    def list_page(
        self,
        scope: Scope,
        flt: Filter | None,
        *,
        limit: int,
        cursor: str | None,
        include_inactive: bool,
    ) -> Page:
        """A page of memories in insertion order; the cursor is the last row id."""
        where, params = scope_where_sql(scope, flt, active_only=not include_inactive)
        after = parse_cursor(cursor)
        rows = self._rows(
            sql.SQL("{} WHERE m.rid > %s AND {} ORDER BY m.rid LIMIT %s").format(
                SELECT_MEMORIES, where
            ),
            [after, *params, limit + 1],
        )
        return page_of(rows, limit, self._memories)

    def timeline_page(self, scope: Scope, *, limit: int, cursor: str | None) -> Page:
        """A page of active turns in time order; the cursor is the last (time, row id)."""
        where, params = scope_where_sql(scope, None)
        after = parse_time_cursor(cursor)
        resume = sql.SQL("" if after is None else " AND (m.occurred_at, m.rid) > (%s, %s)")
        rows = self._rows(
            sql.SQL(
                "{} WHERE {} AND m.kind = 'episode'{} ORDER BY m.occurred_at, m.rid LIMIT %s"
            ).format(SELECT_MEMORIES, where, resume),
            [*params, *(after or ()), limit + 1],
        )
        return time_page_of(rows, limit, self._memories)

    def replaced_ids(self, ids: Sequence[str]) -> list[str]:
        """Memories superseded by, or merged into, any of ``ids``."""
        rows = self._rows(
            "SELECT id FROM memories WHERE superseded_by = ANY(%s) ORDER BY rid", (list(ids),)
        )
        return [r["id"] for r in rows]

    def iter_ids(self, scope: Scope, batch: int) -> Iterator[list[str]]:
        """Every id in ``scope``, materialised first."""
        where, params = scope_where_sql(scope, None, active_only=False)
        ids = [
            r["id"]
            for r in self._rows(
                sql.SQL("SELECT m.id FROM memories m WHERE {}").format(where), params
            )
        ]
        return iter([ids[i : i + batch] for i in range(0, len(ids), batch)])

    def neighbours(
        self, memories: Sequence[MemoryRecord], window: int
    ) -> dict[str, list[MemoryRecord]]:
        """Each episode's active session neighbours within ``window`` positions."""
        anchors = neighbourhood_anchors(memories)
        if not anchors:
            return {}
        clauses, params = [], []
        for memory in anchors:
            where, scope_params = scope_where_sql(memory.scope, None)
            session = "m.session_id IS NULL" if memory.scope.session_id is None else "TRUE"
            clauses.append(
                sql.SQL("({} AND {} AND m.seq BETWEEN %s AND %s)").format(where, sql.SQL(session))
            )
            params += [*scope_params, memory.seq - window, memory.seq + window]  # type: ignore[operator]
        rows = self._rows(
            sql.SQL("{} WHERE m.kind = 'episode' AND ({}) ORDER BY m.seq").format(
                SELECT_MEMORIES, sql.SQL(" OR ").join(clauses)
            ),
            params,
        )
        return around_each(anchors, self._memories(rows), window)

    def recent_episodes(self, scope: Scope, limit: int) -> list[MemoryRecord]:
        """The ``limit`` latest active episodes of ``scope``, oldest first."""
        where, params = scope_where_sql(scope, None)
        rows = self._rows(
            sql.SQL(
                "{} WHERE {} AND m.kind = 'episode' ORDER BY m.occurred_at DESC, m.rid DESC"
                " LIMIT %s"
            ).format(SELECT_MEMORIES, where),
            [*params, limit],
        )
        return self._memories(rows[::-1])

    def episodes_at(self, scope: Scope, times: Sequence[datetime]) -> list[MemoryRecord]:
        """Active episodes in ``scope`` said at any of ``times``."""
        where, params = scope_where_sql(scope, None)
        rows = self._rows(
            sql.SQL("{} WHERE {} AND m.kind = 'episode' AND m.occurred_at = ANY(%s)").format(
                SELECT_MEMORIES, where
            ),
            [*params, list(times)],
        )
        return self._memories(rows)

    def session_logs(self, scope: Scope) -> list[SessionLog]:
        """Each session in ``scope`` with active episodes, in the order they began."""
        where, params = scope_where_sql(scope, None)
        rows = self._rows(
            sql.SQL(
                "SELECT m.user_id, m.agent_id, m.session_id, m.tenant_id, count(*) AS n,"
                " max(m.id) AS last FROM memories m WHERE {} AND m.kind = 'episode'"
                " GROUP BY m.user_id, m.agent_id, m.session_id, m.tenant_id ORDER BY min(m.rid)"
            ).format(where),
            params,
        )
        return [SessionLog(scope_of(r), int(r["n"]), r["last"]) for r in rows]

    def latest_time(self, scope: Scope) -> datetime | None:
        """The newest ``occurred_at`` of an episode in ``scope``."""
        where, params = scope_where_sql(scope, None)
        rows = self._rows(
            sql.SQL(
                "SELECT max(m.occurred_at) AS t FROM memories m WHERE {} AND m.kind = 'episode'"
            ).format(where),
            params,
        )
        value: datetime | None = rows[0]["t"]
        return value

    def next_seq(self, scope: Scope) -> int:
        """Next episode position in ``scope`` (read inside the writing transaction)."""
        where, params = scope_where_sql(scope, None, active_only=False)
        nulls = [
            sql.SQL("m.{} IS NULL").format(sql.Identifier(k))
            for k in ("user_id", "agent_id", "session_id", "tenant_id")
            if getattr(scope, k) is None
        ]
        clause = sql.SQL(" AND ").join([where, *nulls])
        # writers to one scope take turns here, so no two episodes get the same position
        self._run(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 7361))",
            [json.dumps(scope.as_dict(), sort_keys=True)],
        )
        rows = self._rows(
            sql.SQL("SELECT max(m.seq) AS s FROM memories m WHERE {}").format(clause), params
        )
        return 0 if rows[0]["s"] is None else int(rows[0]["s"]) + 1

    def events(self, memory_id: str) -> list[MemoryEvent]:
        """Events of one memory, oldest first."""
        rows = self._rows(
            "SELECT * FROM memory_events WHERE memory_id = %s ORDER BY id", (memory_id,)
        )
        return [event_from_row(r) for r in rows]

    def all_events(self) -> Iterator[MemoryEvent]:
        """Every event, oldest first."""
        return iter(
            [event_from_row(r) for r in self._rows("SELECT * FROM memory_events ORDER BY id")]
        )

    def vectors_of(self, ids: Sequence[str]) -> dict[str, Vector]:
        """Stored vectors by memory id."""
        rows = self._rows(
            "SELECT m.id, v.vector FROM memories m JOIN vectors v ON v.rid = m.rid"
            " WHERE m.id = ANY(%s)",
            (list(ids),),
        )
        return {r["id"]: np.asarray(vector_of(r["vector"]), dtype=np.float32) for r in rows}
