"""The SQLite store's memory writes: insert, replace, delete, status, usage, compaction."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np

from engramdb.backends._shared import (
    event_payload,
)
from engramdb.backends._textindex import indexed_text
from engramdb.backends.sqlite import _rows
from engramdb.backends.sqlite._errors import guarded
from engramdb.backends.sqlite.log import SQLiteLog
from engramdb.backends.sqlite.search import SQLiteSearch
from engramdb.backends.sqlite.sql import chunks, marks
from engramdb.model.codec import scope_from_dict, scope_to_dict
from engramdb.model.memory import (
    EventKind,
    MemoryEvent,
    MemoryRecord,
    MemoryStatus,
    Scope,
)
from engramdb.types import Vector

__all__ = ["SQLiteMemories"]


class SQLiteMemories(SQLiteLog, SQLiteSearch):
    """Mixed into the SQLite store: every write of memories, in one transaction each."""

    _conn: sqlite3.Connection
    _seq_cache: dict[Scope, int]
    _lock: threading.RLock
    location: str
    _drop_orphan_entities: Callable[[], None]  # the graph's: drop entities left unmentioned

    @guarded
    def insert(
        self,
        memories: Sequence[MemoryRecord],
        vectors: Sequence[Vector] | None,
        actor: str,
        *,
        record_events: bool = True,
    ) -> None:
        """Insert memories, their sources, FTS rows, vectors and ADD events."""
        if vectors is not None and len(vectors) != len(memories):
            raise ValueError("one vector per memory")
        columns = ", ".join(_rows.MEMORY_COLUMNS)
        placeholders = marks(_rows.MEMORY_COLUMNS)
        rids: list[int] = []
        with self.atomic():
            for memory in memories:
                cursor = self._conn.execute(
                    f"INSERT INTO memories ({columns}) VALUES ({placeholders})",
                    _rows.memory_params(memory),
                )
                rid = int(cursor.lastrowid or 0)
                rids.append(rid)
                self._write_side_rows(rid, memory)
                if record_events:
                    self._record(
                        memory.id,
                        EventKind.ADD,
                        actor,
                        memory.recorded_at,
                        memory.scope,
                        None,
                        memory,
                    )
            if vectors is not None:
                self._conn.executemany(
                    "INSERT INTO vectors (rid, vector) VALUES (?, ?)",
                    [(rid, _blob(v)) for rid, v in zip(rids, vectors, strict=True)],
                )
        for memory in memories:
            if memory.seq is not None:
                self._seq_cache[memory.scope] = max(
                    self._seq_cache.get(memory.scope, 0), memory.seq + 1
                )
        if vectors is not None:
            self._ann_added(np.array(rids), np.vstack(vectors) if len(vectors) else None)

    def _write_side_rows(self, rid: int, memory: MemoryRecord) -> None:
        text = indexed_text(memory.speaker, memory.reading, memory.text)
        self._conn.execute("INSERT INTO memory_fts (rowid, text) VALUES (?, ?)", (rid, text))
        self._text_changed("add", [(rid, text, memory.scope.as_dict())])
        self._conn.executemany(
            "INSERT OR IGNORE INTO memory_sources (memory_id, source_id) VALUES (?, ?)",
            [(memory.id, source) for source in memory.sources],
        )

    @guarded
    def replace(
        self, memory: MemoryRecord, vector: Vector | None, actor: str, at: datetime
    ) -> None:
        """Overwrite a memory with its next version; the old one goes into the event."""
        with self.atomic():
            before = self._get(memory.id)
            rid = self._rid(memory.id)
            assignments = ", ".join(f"{c} = ?" for c in _rows.MEMORY_COLUMNS)
            self._conn.execute(
                f"UPDATE memories SET {assignments} WHERE rid = ?",
                (*_rows.memory_params(memory), rid),
            )
            self._conn.execute("DELETE FROM memory_fts WHERE rowid = ?", (rid,))
            self._text_changed("remove", [rid])
            self._conn.execute("DELETE FROM memory_sources WHERE memory_id = ?", (memory.id,))
            self._write_side_rows(rid, memory)
            if vector is not None:
                self._conn.execute(
                    "INSERT OR REPLACE INTO vectors (rid, vector) VALUES (?, ?)",
                    (rid, _blob(vector)),
                )
            self._record(memory.id, EventKind.UPDATE, actor, at, memory.scope, before, memory)
        if vector is not None:
            self._ann_removed([rid])
            self._ann_added(np.array([rid]), vector[None, :])

    @guarded
    def delete(self, ids: Sequence[str], actor: str, at: datetime) -> list[str]:
        """Delete ``ids`` and, transitively, every memory derived from them."""
        with self.atomic():
            doomed = self.with_derived(ids)
            rows = self._fetch_rows(doomed)
            rids = [row["rid"] for row in rows]
            for chunk in chunks(rids):
                placeholders = marks(chunk)
                self._conn.execute(f"DELETE FROM memory_fts WHERE rowid IN ({placeholders})", chunk)
                self._text_changed("remove", chunk)
                self._conn.execute(f"DELETE FROM vectors WHERE rid IN ({placeholders})", chunk)
                self._conn.execute(f"DELETE FROM memories WHERE rid IN ({placeholders})", chunk)
            deleted = [row["id"] for row in rows]
            for chunk in chunks(deleted):
                placeholders = marks(chunk)
                self._conn.execute(
                    "UPDATE memory_events SET before = NULL, after = NULL"
                    f" WHERE memory_id IN ({placeholders})",
                    chunk,
                )
                self._conn.execute(
                    f"DELETE FROM memory_sources WHERE source_id IN ({placeholders})", chunk
                )
            for row in rows:
                scope = scope_from_dict(dict(row))
                self._record(row["id"], EventKind.DELETE, actor, at, scope, None, None)
            self._drop_orphan_entities()
        self._ann_removed(rids)
        return deleted

    @guarded
    def set_usage(self, memories: Sequence[MemoryRecord]) -> None:
        """Store strength and last use (no event: using a memory does not change it)."""
        with self.atomic():
            self._conn.executemany(
                "UPDATE memories SET strength = ?, last_used_at = ? WHERE id = ?",
                [(m.strength, _rows.to_db_time(m.last_used_at), m.id) for m in memories],
            )

    @guarded
    def set_status(
        self, ids: Sequence[str], status: MemoryStatus, kind: EventKind, actor: str, at: datetime
    ) -> None:
        """Archive or restore memories, with one event each (before / after states)."""
        with self.atomic():
            for before in self._memories(self._fetch_rows(list(ids))):
                after = replace(before, status=status)
                self._conn.execute(
                    "UPDATE memories SET status = ? WHERE id = ?", (status.value, before.id)
                )
                self._record(before.id, kind, actor, at, before.scope, before, after)

    @guarded
    def purge_deleted_text(self) -> None:
        """Merge the FTS5 index into one segment, which leaves deleted documents' terms out.

        FTS5 only marks a deleted document in its segments; its words stay there until a
        merge. With ``secure_delete`` on, the pages the merge frees are zeroed, and the
        WAL is checkpointed and truncated so no earlier page image survives in it.
        """
        if self.read_only:
            return
        with self._lock:
            self._conn.execute("INSERT INTO memory_fts (memory_fts) VALUES ('optimize')")
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._text_erased()

    @guarded
    def compact(self) -> None:
        """Erase deleted content from the file: FTS5 segments, free pages, WAL, both sidecars.

        ``secure_delete`` (always on) zeroes freed pages; merging the FTS5 index drops
        the deleted documents' terms; the ANN index is rebuilt without removed vectors.
        """
        if self.read_only:
            return
        self._conn.execute("INSERT INTO memory_fts (memory_fts) VALUES ('optimize')")
        self._conn.execute("VACUUM")
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._ann_ready = False
        self._ann.discard()
        self._sync_ann(load=False)
        self._text_erased()

    @guarded
    def derived_ids(self, ids: Sequence[str]) -> list[str]:
        """Memories whose sources include any of ``ids``."""
        found: list[str] = []
        for chunk in chunks(ids):
            placeholders = marks(chunk)
            rows = self._conn.execute(
                "SELECT DISTINCT memory_id FROM memory_sources"
                f" WHERE source_id IN ({placeholders})",
                chunk,
            )
            found.extend(r[0] for r in rows)
        return list(dict.fromkeys(found))

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
        self._conn.execute(
            "INSERT INTO memory_events (memory_id, kind, actor, at, user_id, agent_id, session_id,"
            " tenant_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                memory_id,
                kind.value,
                actor,
                _rows.to_db_time(at),
                *scope_to_dict(scope).values(),
                event_payload(before),
                event_payload(after),
            ),
        )

    @guarded
    def import_event(self, event: MemoryEvent) -> None:
        """Append an exported event with its time and payloads (and a new event id)."""
        e = event
        self._record(e.memory_id, e.kind, e.actor, e.at, e.scope, e.before, e.after)

    @guarded
    def set_vectors(self, vectors: dict[str, Vector]) -> None:
        """Replace the vectors of existing memories."""
        with self.atomic():
            for memory_id, vector in vectors.items():
                self._conn.execute(
                    "INSERT OR REPLACE INTO vectors (rid, vector) VALUES (?, ?)",
                    (self._rid(memory_id), _blob(vector)),
                )
        self._ann_ready = False


def _blob(vector: Vector) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()
