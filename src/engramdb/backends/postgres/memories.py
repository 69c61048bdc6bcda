"""The PostgreSQL store's memory writes: insert, replace, delete, status, usage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np
from psycopg import Connection, sql

from engramdb.backends._rows import MEMORY_COLUMNS
from engramdb.backends.postgres.log import PostgresLog
from engramdb.backends.postgres.rows import (
    INSERT_EVENT,
    event_row,
    memory_params,
    scope_of,
)
from engramdb.backends.postgres.textsidecar import TEXT_ERASURES
from engramdb.model.memory import EventKind, MemoryEvent, MemoryRecord, MemoryStatus, Scope
from engramdb.types import Vector

__all__ = ["PostgresMemories"]


class PostgresMemories(PostgresLog):
    """Mixed into the store: every write of memories, in one transaction each."""

    def insert(
        self,
        memories: Sequence[MemoryRecord],
        vectors: Sequence[Vector] | None,
        actor: str,
        *,
        record_events: bool = True,
    ) -> None:
        """Insert memories, their sources, vectors and ADD events (batched statements)."""
        if not memories:
            return
        columns = sql.SQL(", ").join(map(sql.Identifier, MEMORY_COLUMNS))
        marks = sql.SQL(", ").join(sql.Placeholder() * len(MEMORY_COLUMNS))
        insert = sql.SQL("INSERT INTO memories ({}) VALUES ({}) RETURNING rid").format(
            columns, marks
        )
        with self.atomic(), self._connection() as conn, conn.cursor() as cur:
            cur.executemany(insert, [memory_params(m) for m in memories], returning=True)
            rids = []
            while True:
                rids.append(cur.fetchone()[0])  # type: ignore[index]
                if not cur.nextset():
                    break
            cur.executemany(
                "INSERT INTO memory_sources (memory_id, source_id, position) VALUES (%s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                [(m.id, source, n) for m in memories for n, source in enumerate(m.sources)],
            )
            if vectors is not None:
                cur.executemany(
                    "INSERT INTO vectors (rid, vector) VALUES (%s, %s)",
                    [
                        (rid, np.asarray(vector, dtype=np.float32))
                        for rid, vector in zip(rids, vectors, strict=True)
                    ],
                )
            if record_events:
                cur.executemany(
                    INSERT_EVENT,
                    [event_row(m.id, EventKind.ADD, actor, m.recorded_at, m.scope, None, m)
                     for m in memories],
                )  # fmt: skip
        self._corpus.wrote(len(memories))

    def _write_sources(self, conn: Connection[Any], memory: MemoryRecord) -> None:
        conn.execute("DELETE FROM memory_sources WHERE memory_id = %s", (memory.id,))
        for position, source in enumerate(memory.sources):
            conn.execute(
                "INSERT INTO memory_sources (memory_id, source_id, position) VALUES (%s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (memory.id, source, position),
            )

    def replace(
        self, memory: MemoryRecord, vector: Vector | None, actor: str, at: datetime
    ) -> None:
        """Overwrite a memory with its next version; the old one goes into the event."""
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = %s").format(sql.Identifier(c)) for c in MEMORY_COLUMNS
        )
        with self.atomic(), self._connection() as conn:
            before = self.get_many([memory.id])[memory.id]
            row = conn.execute(
                sql.SQL("UPDATE memories SET {} WHERE id = %s RETURNING rid").format(assignments),
                [*memory_params(memory), memory.id],
            ).fetchone()
            self._write_sources(conn, memory)
            if vector is not None and row is not None:
                conn.execute(
                    "INSERT INTO vectors (rid, vector) VALUES (%s, %s)"
                    " ON CONFLICT (rid) DO UPDATE SET vector = excluded.vector",
                    (row[0], np.asarray(vector, dtype=np.float32)),
                )
            self._record(memory.id, EventKind.UPDATE, actor, at, memory.scope, before, memory)
        self._corpus.wrote(1)

    def delete(self, ids: Sequence[str], actor: str, at: datetime) -> list[str]:
        """Delete ``ids`` and, transitively, everything derived from them."""
        with self.atomic():
            doomed = self.with_derived(ids)
            rows = self._rows(
                "SELECT id, user_id, agent_id, session_id, tenant_id FROM memories"
                " WHERE id = ANY(%s)",
                (doomed,),
            )
            deleted = [r["id"] for r in rows]
            self._run("DELETE FROM memories WHERE id = ANY(%s)", (deleted,))
            self._run(
                "UPDATE memory_events SET before = NULL, after = NULL WHERE memory_id = ANY(%s)",
                (deleted,),
            )
            self._run("DELETE FROM memory_sources WHERE source_id = ANY(%s)", (deleted,))
            for row in rows:
                self._record(row["id"], EventKind.DELETE, actor, at, scope_of(row),
                             None, None)  # fmt: skip
            self._run(
                "DELETE FROM entities e WHERE NOT EXISTS"
                " (SELECT 1 FROM entity_mentions m WHERE m.entity_id = e.id)"
            )
        self._corpus.wrote(len(deleted))
        return deleted

    def derived_ids(self, ids: Sequence[str]) -> list[str]:
        """Memories whose sources include any of ``ids``."""
        rows = self._rows(
            "SELECT DISTINCT memory_id FROM memory_sources WHERE source_id = ANY(%s)", (list(ids),)
        )
        return [r["memory_id"] for r in rows]

    def set_usage(self, memories: Sequence[MemoryRecord]) -> None:
        """Store strength and last use (no event)."""
        with self.atomic():
            for m in memories:
                self._run(
                    "UPDATE memories SET strength = %s, last_used_at = %s WHERE id = %s",
                    (m.strength, m.last_used_at, m.id),
                )

    def set_status(
        self, ids: Sequence[str], status: MemoryStatus, kind: EventKind, actor: str, at: datetime
    ) -> None:
        """Archive or restore memories, with one event each."""
        with self.atomic():
            for before in self.get_many(list(ids)).values():
                self._run(
                    "UPDATE memories SET status = %s WHERE id = %s", (status.value, before.id)
                )
                after = replace(before, status=status)
                self._record(before.id, kind, actor, at, before.scope, before, after)

    def purge_deleted_text(self) -> None:
        """Vacuum the memories table, so that deleted rows' text (and tsvector) is reclaimable."""
        self.compact()

    def compact(self) -> None:
        """Reclaim space of deleted rows (VACUUM cannot run in a transaction block)."""
        with self._pool.connection() as conn:
            conn.execute("VACUUM memories")
            conn.execute("VACUUM vectors")
            # every process's in-memory text index is rebuilt without the erased words
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (%s, '1') ON CONFLICT (key)"
                " DO UPDATE SET value = (meta.value::bigint + 1)::text",
                (TEXT_ERASURES,),
            )

    def _record(
        self,
        memory_id: str,
        kind: EventKind,
        actor: str,
        at: datetime,
        scope: Scope,
        before: MemoryRecord | dict[str, Any] | None,
        after: MemoryRecord | dict[str, Any] | None,
    ) -> None:
        self._run(INSERT_EVENT, event_row(memory_id, kind, actor, at, scope, before, after))

    def import_event(self, event: MemoryEvent) -> None:
        """Append an exported event."""
        e = event
        self._record(e.memory_id, e.kind, e.actor, e.at, e.scope, e.before, e.after)

    def set_vectors(self, vectors: dict[str, Vector]) -> None:
        """Replace stored vectors."""
        with self.atomic():
            for memory_id, vector in vectors.items():
                self._run(
                    "INSERT INTO vectors (rid, vector) SELECT rid, %s FROM memories WHERE id = %s"
                    " ON CONFLICT (rid) DO UPDATE SET vector = excluded.vector",
                    (np.asarray(vector, dtype=np.float32), memory_id),
                )
