"""The embedded default backend: one SQLite file (WAL, FTS5, vectors + ANN sidecar).

Concurrency model: one process may write (enforced by :class:`WriterLock`); inside
it, one connection is shared by all threads and serialised with a lock, so every
call sees a consistent store. Every write runs in one ``BEGIN IMMEDIATE``
transaction with ``synchronous=FULL``: when a call returns, its write is on disk.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from engramdb.backends._lexical import TermCounts
from engramdb.backends._migrate import check_applied, load_migrations
from engramdb.backends._shared import (
    around_each,
    event_payload,
    neighbourhood_anchors,
    page_of,
    parse_cursor,
)
from engramdb.backends.sqlite import _rows
from engramdb.backends.sqlite._errors import guarded, map_sqlite_errors
from engramdb.backends.sqlite._lock import WriterLock
from engramdb.backends.sqlite.graph import SQLiteGraph
from engramdb.backends.sqlite.jobs import SQLiteJobs
from engramdb.backends.sqlite.keys import SQLiteKeys
from engramdb.backends.sqlite.search import SQLiteSearch
from engramdb.backends.sqlite.sql import chunks, marks, scope_where_sql
from engramdb.backends.sqlite.vectors import AnnIndex
from engramdb.errors import BackendUnavailable
from engramdb.model.codec import dt_from_iso, scope_from_dict, scope_to_dict
from engramdb.model.filters import Filter
from engramdb.model.memory import (
    EventKind,
    MemoryEvent,
    MemoryRecord,
    MemoryStatus,
    Scope,
)
from engramdb.model.query import Page
from engramdb.ports.store import Capabilities, MemoryStore, SessionLog
from engramdb.types import Vector

__all__ = ["SQLiteStore"]


_SELECT = "SELECT m.rid, " + ", ".join(f"m.{c}" for c in _rows.MEMORY_COLUMNS) + " FROM memories m"


# the SQL mixin comes first: it implements abstract methods of MemoryStore
class SQLiteStore(SQLiteJobs, MemoryStore, SQLiteSearch, SQLiteGraph, SQLiteKeys):
    """Memories, events, FTS5, vectors, the entity graph and API keys in one SQLite file.

    Args:
        location: a file path, or ``":memory:"``.
        dimensions: vector size of the embedder used with this store.
        read_only: open without the writer lock; writes raise.
        exact_threshold: scopes with at most this many memories are searched exactly;
            larger ones through the ANN index.
        ann_save_every: persist the ANN index after this many added vectors.
    """

    capabilities = Capabilities(keyword=True, vector=True, graph=True, native_hybrid=False)

    def __init__(
        self,
        location: str,
        *,
        dimensions: int,
        read_only: bool = False,
        exact_threshold: int = 2048,
        ann_save_every: int = 20_000,
    ) -> None:
        self.location = location
        self.dimensions = dimensions
        self.read_only = read_only
        self.exact_threshold = exact_threshold
        self.ann_save_every = ann_save_every
        self._lock = threading.RLock()
        self._depth = 0
        self._seq_cache: dict[Scope, int] = {}
        self._unsaved = 0
        self._term_counts = TermCounts()
        path = None if location == ":memory:" else Path(location)
        self._writer_lock = WriterLock(path) if path and not read_only else None
        if self._writer_lock:
            self._writer_lock.acquire()
        try:
            self._conn = self._connect(path)
            with map_sqlite_errors(location):
                self._migrate()
            self._ann = AnnIndex(
                dimensions, path.with_name(path.name + ".usearch") if path else None
            )
            self._ann_ready = False
            with map_sqlite_errors(location):
                self._sync_ann(load=True)
        except BaseException:
            self._release()
            raise

    # ----------------------------------------------------------------- setup
    def _connect(self, path: Path | None) -> sqlite3.Connection:
        try:
            if path is None:
                conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            elif self.read_only:
                uri = f"file:{path}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
            else:
                if path.parent and not path.parent.exists():
                    raise BackendUnavailable(
                        f"directory {path.parent} does not exist", location=str(path)
                    )
                conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 5000")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")  # deleted content is zeroed, not left
            if path is not None and not self.read_only:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackendUnavailable(
                f"cannot open {self.location}: {exc}", location=self.location
            ) from exc
        return conn

    def _migrate(self) -> None:
        shipped = load_migrations("engramdb.backends.sqlite.migrations", "sqlite")
        exists = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'"
        ).fetchone()
        applied: dict[int, str] = {}
        if exists:
            rows = self._conn.execute("SELECT version, sha256 FROM schema_migrations")
            applied = {row[0]: row[1] for row in rows}
        pending = check_applied(shipped, applied)
        if pending and self.read_only:
            raise BackendUnavailable(f"{self.location} is not an initialised engramdb store")
        for migration in pending:
            with self.atomic():
                self._conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(version INTEGER PRIMARY KEY, name TEXT, sha256 TEXT, applied_at TEXT)"
                )
                for statement in _split_sql(migration.sql):
                    self._conn.execute(statement)
                self._conn.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?, datetime('now'))",
                    (migration.version, migration.name, migration.sha256),
                )

    # ------------------------------------------------------ unit of work
    @contextmanager
    def atomic(self) -> Iterator[None]:
        """A transaction; nested calls become savepoints."""
        with self._lock:
            if self._depth == 0:
                self._conn.execute("BEGIN IMMEDIATE")
            else:
                self._conn.execute(f"SAVEPOINT sp{self._depth}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._conn.execute("ROLLBACK")
                    self._seq_cache.clear()  # may hold positions of rolled-back rows
                    self._ann_ready = False  # may hold rolled-back vectors
                else:
                    self._conn.execute(f"ROLLBACK TO sp{self._depth}")
                    self._conn.execute(f"RELEASE sp{self._depth}")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._conn.execute("COMMIT")
            else:
                self._conn.execute(f"RELEASE sp{self._depth}")

    # ------------------------------------------------------------- writes
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
        self._conn.execute(
            "INSERT INTO memory_fts (rowid, text) VALUES (?, ?)", (rid, _indexed_text(memory))
        )
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

    @guarded
    def compact(self) -> None:
        """Erase deleted content from the file: FTS5 segments, free pages, WAL, ANN sidecar.

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

    @guarded
    def set_meta(self, key: str, value: str) -> None:
        """Record a store-level setting."""
        with self.atomic():
            self._conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
            )

    # -------------------------------------------------------------- reads
    @guarded
    def get_meta(self, key: str) -> str | None:
        """A store-level setting, or ``None``."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

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

    # ------------------------------------------------------------ search
    @guarded
    def stats(self) -> dict[str, Any]:
        """Counts by kind and status, index sizes, file size."""
        by_kind = dict(
            self._conn.execute("SELECT kind, count(*) FROM memories GROUP BY kind").fetchall()
        )
        by_status = dict(
            self._conn.execute("SELECT status, count(*) FROM memories GROUP BY status").fetchall()
        )
        size = 0
        if self.location != ":memory:":
            size = sum(
                p.stat().st_size
                for p in Path(self.location).parent.glob(Path(self.location).name + "*")
            )
        return {
            "location": self.location,
            "memories": self._scalar("SELECT count(*) FROM memories"),
            "by_kind": by_kind,
            "by_status": by_status,
            "users": self._scalar("SELECT count(DISTINCT user_id) FROM memories"),
            "sessions": self._scalar("SELECT count(DISTINCT session_id) FROM memories"),
            "vectors": self._scalar("SELECT count(*) FROM vectors"),
            "ann_vectors": len(self._ann) if self._ann_ready else 0,
            "events": self._scalar("SELECT count(*) FROM memory_events"),
            "bytes_on_disk": size,
        }

    def _scalar(self, sql: str) -> int:
        return int(self._conn.execute(sql).fetchone()[0])

    def close(self) -> None:
        """Persist the ANN index, close the connection and release the writer lock."""
        with self._lock:
            if getattr(self, "_conn", None) is None:
                return
            try:
                if self._ann.dirty:
                    with map_sqlite_errors(self.location):
                        self._save_ann()
            finally:
                self._release()

    def _release(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.close()
            self._conn = None  # type: ignore[assignment]
        if self._writer_lock:
            self._writer_lock.release()


def _split_sql(script: str) -> list[str]:
    """Statements of a migration file (no statement of ours contains ';' in a literal)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _blob(vector: Vector) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def _indexed_text(memory: MemoryRecord) -> str:
    """What FTS indexes: the speaker's name, and the resolved reading when there is one."""
    text = memory.reading or memory.text
    return f"{memory.speaker}: {text}" if memory.speaker else text
