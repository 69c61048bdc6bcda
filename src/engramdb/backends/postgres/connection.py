"""The PostgreSQL store's connection: one pooled connection per unit of work."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from pgvector.psycopg import register_vector
from psycopg import Connection, sql
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from engramdb.backends.postgres.lexical import CorpusStats
from engramdb.errors import (
    BackendUnavailable,
    ConfigError,
    IntegrityViolation,
    StorageError,
)
from engramdb.ports.store import MemoryStore

__all__ = ["PostgresConnection", "mapped_errors", "probe", "redacted"]

#: candidates the HNSW index considers per scan step (a search asks for 80 per list)
HNSW_EF_SEARCH = 100


def redacted(dsn: str) -> str:
    """``dsn`` with its password masked: what error messages, logs and stats may show."""
    parts = urlsplit(dsn)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        dsn = urlunsplit(parts._replace(netloc=netloc))
    return re.sub(r"(password\s*=\s*)('[^']*'|[^&\s]+)", r"\1***", dsn)


@contextmanager
def mapped_errors(location: str) -> Iterator[None]:
    """Re-raise driver errors as the engine's storage errors, keeping the cause."""
    try:
        yield
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityViolation(str(exc)) from exc
    except (psycopg.OperationalError, PoolTimeout) as exc:
        raise BackendUnavailable(f"{location}: {exc}", location=location) from exc
    except psycopg.Error as exc:
        raise StorageError(f"{location}: {exc}") from exc


def probe(dsn: str) -> None:
    """Fail fast and clearly on a DSN that does not reach a server, or lacks pgvector."""
    try:
        conn = psycopg.connect(dsn, connect_timeout=10, autocommit=True)
    except Exception as exc:  # psycopg raises several kinds for a bad DSN
        where = redacted(dsn)
        raise BackendUnavailable(f"cannot connect to {where}: {exc}", location=where) from exc
    with conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        except psycopg.Error as exc:
            raise ConfigError(
                f"{redacted(dsn)}: the pgvector extension is not installed in this database and"
                f" cannot be created here ({str(exc).strip()}). Install pgvector on the server,"
                " then run CREATE EXTENSION vector; in this database as a superuser."
            ) from exc


class PostgresConnection(MemoryStore):
    """Mixed into the store: its pool, its thread's connection, units of work."""

    location: str
    _pool: ConnectionPool[Any]
    _local: threading.local
    _corpus: CorpusStats

    def _configure(self, conn: Connection[Any]) -> None:
        conn.autocommit = True
        # The HNSW index yields ef_search rows (40 by default) before the scope filter:
        # a search in one scope of a large store got 15 to 40 of the 50 it asked for.
        # Iterative scans read on until the limit is met, in exact order.
        conn.execute(f"SET hnsw.ef_search = {HNSW_EF_SEARCH}")
        conn.execute("SET hnsw.iterative_scan = strict_order")
        register_vector(conn)

    @contextmanager
    def _connection(self) -> Iterator[Connection[Any]]:
        current = getattr(self._local, "conn", None)
        if current is not None:
            with mapped_errors(self.location):
                yield current
            return
        with mapped_errors(self.location), self._pool.connection() as conn:
            yield conn

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """The calls inside share one pooled connection (checked once), in autocommit."""
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with mapped_errors(self.location), self._pool.connection() as conn:
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def _in_transaction(self) -> bool:
        """Whether this thread's calls run inside a unit of work (and see its writes)."""
        conn = getattr(self._local, "conn", None)
        return conn is not None and conn.info.transaction_status != TransactionStatus.IDLE

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """A transaction on this thread's connection; nested calls are savepoints.

        A connection lost before the commit means the server rolled the transaction
        back: the error says so (``retry_safe``). Lost during the commit, the outcome is
        unknown and the error does not claim it is safe to run again.
        """
        current = getattr(self._local, "conn", None)
        if current is not None:
            with current.transaction():
                yield
            return
        committing = False
        try:
            with self._pool.connection() as conn:
                self._local.conn = conn
                try:
                    with conn.transaction():
                        yield
                        committing = True
                finally:
                    self._local.conn = None
        except BackendUnavailable as exc:
            exc.retry_safe = not committing
            raise
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise BackendUnavailable(
                f"{self.location}: {exc}", location=self.location, retry_safe=not committing
            ) from exc

    def _rows(
        self, query: sql.Composable | str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[Any]:
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params)  # type: ignore[arg-type]
            return cur.fetchall()

    def _run(self, query: sql.Composable | str, params: Sequence[Any] = ()) -> None:
        with self._connection() as conn:
            conn.execute(query, params)  # type: ignore[arg-type]
