"""The SQLite store's memory log: reading memories, their events, vectors and sessions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime

import numpy as np

from engramdb.backends._shared import (
    around_each,
    neighbourhood_anchors,
    page_of,
    parse_cursor,
    parse_time_cursor,
    time_page_of,
)
from engramdb.backends.sqlite import _rows
from engramdb.backends.sqlite._errors import guarded
from engramdb.backends.sqlite.sql import chunks, marks, scope_where_sql
from engramdb.model.codec import dt_from_iso
from engramdb.model.filters import Filter
from engramdb.model.memory import (
    MemoryEvent,
    MemoryRecord,
    Scope,
)
from engramdb.model.query import Page
from engramdb.ports.store import MemoryStore, SessionLog
from engramdb.types import Vector

__all__ = ["SQLiteLog"]

_SELECT = "SELECT m.rid, " + ", ".join(f"m.{c}" for c in _rows.MEMORY_COLUMNS) + " FROM memories m"


class SQLiteLog(MemoryStore):
    """Mixed into the SQLite store: reads through its connection."""

    _conn: sqlite3.Connection
    _seq_cache: dict[Scope, int]

    @guarded
    def get_many(self, ids: Sequence[str]) -> dict[str, MemoryRecord]:
        """Existing memories among ``ids``."""
        return {m.id: m for m in self._memories(self._fetch_rows(list(ids)))}

    def _get(self, memory_id: str) -> MemoryRecord:
        rows = self._fetch_rows([memory_id])
        if not rows:
            raise ValueError(f"no memory {memory_id}")
        return self._memories(rows)[0]

    def _rid(self, memory_id: str) -> int:
        row = self._conn.execute("SELECT rid FROM memories WHERE id = ?", (memory_id,)).fetchone()
        if row is None:
            raise ValueError(f"no memory {memory_id}")
        return int(row[0])

    def _fetch_rows(self, ids: list[str]) -> list[sqlite3.Row]:
        rows: list[sqlite3.Row] = []
        for chunk in chunks(ids):
            placeholders = marks(chunk)
            rows.extend(self._conn.execute(f"{_SELECT} WHERE m.id IN ({placeholders})", chunk))
        return rows

    def _memories(self, rows: Sequence[sqlite3.Row]) -> list[MemoryRecord]:
        ids = [row["id"] for row in rows]
        sources: dict[str, list[str]] = {}
        for chunk in chunks(ids):
            placeholders = marks(chunk)
            for memory_id, source_id in self._conn.execute(
                "SELECT memory_id, source_id FROM memory_sources"
                f" WHERE memory_id IN ({placeholders}) ORDER BY rowid",
                chunk,
            ):
                sources.setdefault(memory_id, []).append(source_id)
        return [_rows.memory_from_row(row, tuple(sources.get(row["id"], ()))) for row in rows]

    @guarded
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
        rows = self._conn.execute(
            f"{_SELECT} WHERE m.rid > ? AND {where} ORDER BY m.rid LIMIT ?",
            [after, *params, limit + 1],
        ).fetchall()
        return page_of(rows, limit, self._memories)

    @guarded
    def timeline_page(self, scope: Scope, *, limit: int, cursor: str | None) -> Page:
        """A page of active turns in time order; the cursor is the last (time, row id)."""
        where, params = scope_where_sql(scope, None)
        after = parse_time_cursor(cursor)
        resume = "" if after is None else " AND (m.occurred_at, m.rid) > (?, ?)"
        resume_params = [] if after is None else [_rows.to_db_time(after[0]), after[1]]
        rows = self._conn.execute(
            f"{_SELECT} WHERE {where} AND m.kind = 'episode'{resume}"
            " ORDER BY m.occurred_at, m.rid LIMIT ?",
            [*params, *resume_params, limit + 1],
        ).fetchall()
        return time_page_of(rows, limit, self._memories)

    @guarded
    def replaced_ids(self, ids: Sequence[str]) -> list[str]:
        """Memories superseded by, or merged into, any of ``ids``."""
        found: list[str] = []
        for chunk in chunks(ids):
            rows = self._conn.execute(
                f"SELECT id FROM memories WHERE superseded_by IN ({marks(chunk)}) ORDER BY rid",
                chunk,
            )
            found.extend(r[0] for r in rows)
        return found

    @guarded
    def iter_ids(self, scope: Scope, batch: int) -> Iterator[list[str]]:
        """Every id in ``scope``, ``batch`` at a time (materialised first: safe to delete)."""
        where, params = scope_where_sql(scope, None, active_only=False)
        ids = [
            r[0] for r in self._conn.execute(f"SELECT m.id FROM memories m WHERE {where}", params)
        ]
        return iter([ids[i : i + batch] for i in range(0, len(ids), batch)])

    @guarded
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
            session_clause = "m.session_id IS NULL" if memory.scope.session_id is None else "1"
            clauses.append(f"({where} AND {session_clause} AND m.seq BETWEEN ? AND ?)")
            params += [*scope_params, memory.seq - window, memory.seq + window]  # type: ignore[operator]
        rows = self._conn.execute(
            f"{_SELECT} WHERE m.kind = 'episode' AND ({' OR '.join(clauses)}) ORDER BY m.seq",
            params,
        ).fetchall()
        return around_each(anchors, self._memories(rows), window)

    @guarded
    def recent_episodes(self, scope: Scope, limit: int) -> list[MemoryRecord]:
        """The ``limit`` latest active episodes of ``scope``, oldest first."""
        where, params = scope_where_sql(scope, None)
        rows = self._conn.execute(
            f"{_SELECT} WHERE {where} AND m.kind = 'episode'"
            " ORDER BY m.occurred_at DESC, m.rid DESC LIMIT ?",
            [*params, limit],
        ).fetchall()
        return self._memories(rows[::-1])

    @guarded
    def episodes_at(self, scope: Scope, times: Sequence[datetime]) -> list[MemoryRecord]:
        """Active episodes in ``scope`` said at any of ``times``."""
        where, params = scope_where_sql(scope, None)
        stamps = [_rows.to_db_time(t) for t in times]
        rows = self._conn.execute(
            f"{_SELECT} WHERE {where} AND m.kind = 'episode'"
            f" AND m.occurred_at IN ({marks(stamps)})",
            [*params, *stamps],
        ).fetchall()
        return self._memories(rows)

    @guarded
    def session_logs(self, scope: Scope) -> list[SessionLog]:
        """Each session in ``scope`` with active episodes, in the order they began."""
        where, params = scope_where_sql(scope, None)
        rows = self._conn.execute(
            "SELECT m.user_id, m.agent_id, m.session_id, m.tenant_id, count(*), max(m.id)"
            f" FROM memories m WHERE {where} AND m.kind = 'episode'"
            " GROUP BY m.user_id, m.agent_id, m.session_id, m.tenant_id ORDER BY min(m.rid)",
            params,
        ).fetchall()
        return [SessionLog(Scope(*row[:4]), row[4], row[5]) for row in rows]

    @guarded
    def latest_time(self, scope: Scope) -> datetime | None:
        """The newest ``occurred_at`` of an episode in ``scope``."""
        where, params = scope_where_sql(scope, None)
        row = self._conn.execute(
            f"SELECT max(m.occurred_at) FROM memories m WHERE {where} AND m.kind = 'episode'",
            params,
        ).fetchone()
        return dt_from_iso(row[0])

    @guarded
    def next_seq(self, scope: Scope) -> int:
        """Next episode position in ``scope`` (cached: this process is the only writer)."""
        if scope not in self._seq_cache:
            where, params = scope_where_sql(scope, None, active_only=False)
            nulls = [
                f"m.{k} IS NULL"
                for k in ("user_id", "agent_id", "session_id", "tenant_id")
                if getattr(scope, k) is None
            ]
            where = " AND ".join([where, *nulls])
            row = self._conn.execute(
                f"SELECT max(m.seq) FROM memories m WHERE {where}", params
            ).fetchone()
            self._seq_cache[scope] = 0 if row[0] is None else int(row[0]) + 1
        return self._seq_cache[scope]

    @guarded
    def events(self, memory_id: str) -> list[MemoryEvent]:
        """Events of one memory, oldest first."""
        rows = self._conn.execute(
            "SELECT * FROM memory_events WHERE memory_id = ? ORDER BY id", (memory_id,)
        )
        return [_rows.event_from_row(row) for row in rows]

    @guarded
    def all_events(self) -> Iterator[MemoryEvent]:
        """Every event, oldest first."""
        rows = self._conn.execute("SELECT * FROM memory_events ORDER BY id").fetchall()
        return iter([_rows.event_from_row(row) for row in rows])

    @guarded
    def vectors_of(self, ids: Sequence[str]) -> dict[str, Vector]:
        """Stored vectors by memory id."""
        result: dict[str, Vector] = {}
        for chunk in chunks(ids):
            placeholders = marks(chunk)
            for memory_id, blob in self._conn.execute(
                f"SELECT m.id, v.vector FROM memories m JOIN vectors v ON v.rid = m.rid"
                f" WHERE m.id IN ({placeholders})",
                chunk,
            ):
                result[memory_id] = np.frombuffer(blob, dtype=np.float32).copy()
        return result
