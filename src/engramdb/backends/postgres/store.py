"""The PostgreSQL + pgvector store: the same ports as the SQLite store, for many writers.

Built of the same collaborators as the SQLite store: the memory log and its writes
(``log.py``, ``memories.py``), search (``search.py``: BM25 over tsvector, pgvector HNSW),
the entity graph, API keys and the job queue, over one connection layer
(``connection.py``: one pooled connection per unit of work; nested units of work are
savepoints); rows are decoded in ``rows.py``. A large store's words are ranked by an
in-memory index of this process (``textsidecar.py``).
"""

from __future__ import annotations

import threading
from typing import Any

from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from engramdb.backends._migrate import check_applied, load_migrations
from engramdb.backends._textindex import TEXT_INDEX_THRESHOLD
from engramdb.backends.postgres.connection import probe, redacted
from engramdb.backends.postgres.graph import PostgresGraph
from engramdb.backends.postgres.jobs import PostgresJobs
from engramdb.backends.postgres.keys import PostgresKeys
from engramdb.backends.postgres.lexical import CorpusStats
from engramdb.backends.postgres.memories import PostgresMemories
from engramdb.backends.postgres.search import PostgresSearch
from engramdb.backends.postgres.textsidecar import TextSidecar
from engramdb.errors import (
    BackendUnavailable,
    ConfigError,
)
from engramdb.ports.store import (
    Capabilities,
)

__all__ = ["PostgresStore"]


class PostgresStore(PostgresJobs, PostgresMemories, PostgresSearch, PostgresGraph, PostgresKeys):
    """Memories in PostgreSQL with pgvector.

    Args:
        dsn: a libpq connection string, e.g. ``postgresql://user@host/db``.
        dimensions: vector size of the embedder used with this store.
        pool_size: connections kept open.
        text_index_threshold: once the store has held this many memories, this process
            ranks words with an in-memory index (see ``textsidecar.py``).
    """

    capabilities = Capabilities(keyword=True, vector=True, graph=True, native_hybrid=False)
    read_only = False

    def __init__(
        self,
        dsn: str,
        *,
        dimensions: int,
        pool_size: int = 4,
        text_index_threshold: int = TEXT_INDEX_THRESHOLD,
    ) -> None:
        self.location = redacted(dsn)
        self.dimensions = dimensions
        self._local = threading.local()
        self._corpus = CorpusStats()
        probe(dsn)
        try:
            self._pool = ConnectionPool(
                dsn, min_size=1, max_size=pool_size, configure=self._configure, open=True,
                timeout=10, check=ConnectionPool.check_connection,
            )  # fmt: skip
            self._pool.wait(timeout=10)
        except PoolTimeout as exc:
            raise BackendUnavailable(
                f"cannot connect to {self.location}: {exc}", location=self.location
            ) from exc
        self._migrate()
        self._text = TextSidecar(self._pool, text_index_threshold)

    def _migrate(self) -> None:
        shipped = load_migrations("engramdb.backends.postgres.migrations", "postgres")
        with self.atomic():
            self._run("SELECT pg_advisory_xact_lock(7361)")  # one migrator at a time
            self._run(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY,"
                " name text, sha256 text, applied_at timestamptz DEFAULT now())"
            )
            applied = {
                r["version"]: r["sha256"] for r in self._rows("SELECT * FROM schema_migrations")
            }
            for migration in check_applied(shipped, applied):
                self._run(migration.sql)
                self._run(
                    "INSERT INTO schema_migrations (version, name, sha256) VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.sha256),
                )
            self._check_dimensions()

    def _check_dimensions(self) -> None:
        stored = self.get_meta("dimensions")
        if stored is None:
            self._run(
                sql.SQL("ALTER TABLE vectors ALTER COLUMN vector TYPE vector({})").format(
                    sql.Literal(self.dimensions)
                )
            )
            self._run(
                "CREATE INDEX IF NOT EXISTS vectors_hnsw ON vectors"
                " USING hnsw (vector vector_cosine_ops)"
            )
            self.set_meta("dimensions", str(self.dimensions))
        elif int(stored) != self.dimensions:
            raise ConfigError(
                f"{self.location} holds {stored}-dimensional vectors, not {self.dimensions}"
            )

    def get_meta(self, key: str) -> str | None:
        """A store-level setting."""
        rows = self._rows("SELECT value FROM meta WHERE key = %s", (key,))
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        """Record a store-level setting."""
        self._run(
            "INSERT INTO meta (key, value) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def stats(self) -> dict[str, Any]:
        """Counts by kind and status, index and database sizes."""

        def scalar(query: str) -> int:
            return int(next(iter(self._rows(query)[0].values())) or 0)

        def grouped(column: str) -> dict[str, int]:
            rows = self._rows(
                sql.SQL("SELECT {c} AS k, count(*) AS n FROM memories GROUP BY {c}").format(
                    c=sql.Identifier(column)
                )
            )
            return {r["k"]: r["n"] for r in rows}

        return {
            "location": self.location,
            "memories": scalar("SELECT count(*) FROM memories"),
            "by_kind": grouped("kind"),
            "by_status": grouped("status"),
            "users": scalar("SELECT count(DISTINCT user_id) FROM memories"),
            "sessions": scalar("SELECT count(DISTINCT session_id) FROM memories"),
            "vectors": scalar("SELECT count(*) FROM vectors"),
            "ann_vectors": scalar("SELECT count(*) FROM vectors"),  # the HNSW index holds all
            "text_index": self._text.built,  # this process's
            "events": scalar("SELECT count(*) FROM memory_events"),
            "bytes_on_disk": scalar("SELECT pg_database_size(current_database())"),
        }

    def close(self) -> None:
        """Stop the text index's feed and close the pool."""
        self._text.stop()
        self._pool.close()
