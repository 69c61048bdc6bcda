"""The embedded default backend: one SQLite file (WAL, FTS5, vectors + ANN sidecar).

Concurrency model: one process may write (enforced by :class:`WriterLock`); inside
it, one connection is shared by all threads and serialised with a lock, so every
call sees a consistent store. Every write runs in one ``BEGIN IMMEDIATE``
transaction with ``synchronous=FULL``: when a call returns, its write is on disk.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engramdb.backends._lexical import ScopeShares, TermCounts
from engramdb.backends._migrate import check_applied, load_migrations
from engramdb.backends._textindex import TextIndex
from engramdb.backends.sqlite._errors import guarded, map_sqlite_errors
from engramdb.backends.sqlite._lock import WriterLock
from engramdb.backends.sqlite.graph import SQLiteGraph
from engramdb.backends.sqlite.jobs import SQLiteJobs
from engramdb.backends.sqlite.keys import SQLiteKeys
from engramdb.backends.sqlite.lexical import TEXT_INDEX_THRESHOLD
from engramdb.backends.sqlite.memories import SQLiteMemories
from engramdb.backends.sqlite.vectors import AnnIndex
from engramdb.errors import BackendUnavailable
from engramdb.model.memory import (
    Scope,
)
from engramdb.ports.store import Capabilities

__all__ = ["SQLiteStore"]


# the SQL mixin comes first: it implements abstract methods of MemoryStore
class SQLiteStore(SQLiteJobs, SQLiteMemories, SQLiteGraph, SQLiteKeys):
    """Memories, events, FTS5, vectors, the entity graph and API keys in one SQLite file.

    Args:
        location: a file path, or ``":memory:"``.
        dimensions: vector size of the embedder used with this store.
        read_only: open without the writer lock; writes raise.
        exact_threshold: scopes with at most this many memories are searched exactly;
            larger ones through the ANN index.
        ann_save_every: persist the ANN index after this many added vectors.
        text_index_threshold: a store that has held this many memories ranks words
            with the tantivy sidecar instead of FTS5 (see ``backends/sqlite/lexical.py``).
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
        text_index_threshold: int = TEXT_INDEX_THRESHOLD,
    ) -> None:
        self.location = location
        self.dimensions = dimensions
        self.read_only = read_only
        self.exact_threshold = exact_threshold
        self.ann_save_every = ann_save_every
        self.text_index_threshold = text_index_threshold
        self._lock = threading.RLock()
        self._depth = 0
        self._seq_cache: dict[Scope, int] = {}
        self._unsaved = 0
        self._term_counts = TermCounts()
        self._scope_shares = ScopeShares()
        self._text_ops = []
        self._text_feed = None
        self._text_broken = False
        path = None if location == ":memory:" else Path(location)
        self._text = TextIndex(path.with_name(path.name + ".tantivy") if path else None)
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
                self._load_saved_text()
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
                    self._text_rolled_back()
                else:
                    self._conn.execute(f"ROLLBACK TO sp{self._depth}")
                    self._conn.execute(f"RELEASE sp{self._depth}")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._conn.execute("COMMIT")
                self._text_committed()
            else:
                self._conn.execute(f"RELEASE sp{self._depth}")

    # ------------------------------------------------------------- writes
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
            here = Path(self.location)
            parts = [f for p in here.parent.glob(here.name + "*") for f in [p, *p.rglob("*")]]
            size = sum(f.stat().st_size for f in parts if f.is_file())
        return {
            "location": self.location,
            "memories": self._scalar("SELECT count(*) FROM memories"),
            "by_kind": by_kind,
            "by_status": by_status,
            "users": self._scalar("SELECT count(DISTINCT user_id) FROM memories"),
            "sessions": self._scalar("SELECT count(DISTINCT session_id) FROM memories"),
            "vectors": self._scalar("SELECT count(*) FROM vectors"),
            "ann_vectors": len(self._ann) if self._ann_ready else 0,
            "text_index": self._text.ready,
            "events": self._scalar("SELECT count(*) FROM memory_events"),
            "bytes_on_disk": size,
        }

    def _scalar(self, sql: str) -> int:
        return int(self._conn.execute(sql).fetchone()[0])

    def close(self) -> None:
        """Persist the ANN and text indexes, close the connection, release the writer lock."""
        with self._lock:
            if getattr(self, "_conn", None) is None:
                return
            try:
                if self._ann.dirty:
                    with map_sqlite_errors(self.location):
                        self._save_ann()
                self._close_text()
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
