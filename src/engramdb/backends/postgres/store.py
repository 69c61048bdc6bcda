"""The PostgreSQL + pgvector store: the same ports as the SQLite store, for many writers.

Work in progress: memories, provenance, events, lexical (tsvector) and dense (pgvector
HNSW) search, the entity graph and API keys. One pooled connection per unit of work;
nested units of work are savepoints.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg import Connection, sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from engramdb.backends._idempotency import SQLIdempotency
from engramdb.backends._migrate import check_applied, load_migrations
from engramdb.backends._shared import (
    around_each,
    event_payload,
    neighbourhood_anchors,
    page_of,
    parse_cursor,
)
from engramdb.backends.postgres.lexical import CorpusStats, bm25_query, tsquery_text
from engramdb.backends.postgres.sql import scope_where_sql
from engramdb.backends.sqlite._rows import MEMORY_COLUMNS
from engramdb.errors import (
    BackendUnavailable,
    ConfigError,
    IntegrityViolation,
    StorageError,
)
from engramdb.model.codec import memory_from_dict, memory_to_dict, scope_from_dict, scope_to_dict
from engramdb.model.filters import Filter
from engramdb.model.graph import Entity, EntityMention, Relation
from engramdb.model.keys import ApiKey
from engramdb.model.memory import EventKind, MemoryEvent, MemoryRecord, MemoryStatus, Scope
from engramdb.model.query import Page
from engramdb.ports.keys import KeyStore
from engramdb.ports.store import (
    Capabilities,
    GraphStore,
    GraphTable,
    KeywordIndex,
    MemoryStore,
    ScoredId,
    SessionLog,
    VectorIndex,
)
from engramdb.types import Vector
from engramdb.wire import entity_from_dict, relation_from_dict

__all__ = ["PostgresStore"]

_COLUMNS = sql.SQL(", ").join(sql.Identifier("m", c) for c in MEMORY_COLUMNS)
_SELECT = sql.SQL("SELECT m.rid, {} FROM memories m").format(_COLUMNS)


@contextmanager
def _mapped_errors(location: str) -> Iterator[None]:
    """Re-raise driver errors as the engine's storage errors, keeping the cause."""
    try:
        yield
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityViolation(str(exc)) from exc
    except (psycopg.OperationalError, PoolTimeout) as exc:
        raise BackendUnavailable(f"{location}: {exc}", location=location) from exc
    except psycopg.Error as exc:
        raise StorageError(f"{location}: {exc}") from exc


_INSERT_EVENT = (
    "INSERT INTO memory_events (memory_id, kind, actor, at, user_id, agent_id, session_id,"
    " tenant_id, before, after) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _event_row(
    memory_id: str,
    kind: EventKind,
    actor: str,
    at: datetime,
    scope: Scope,
    before: MemoryRecord | dict[str, Any] | None,
    after: MemoryRecord | dict[str, Any] | None,
) -> tuple[Any, ...]:
    return (memory_id, kind.value, actor, at, *scope_to_dict(scope).values(),
            event_payload(before), event_payload(after))  # fmt: skip


def _probe(dsn: str) -> None:
    """Fail fast and clearly on a DSN that does not reach a server, or lacks pgvector."""
    try:
        conn = psycopg.connect(dsn, connect_timeout=10, autocommit=True)
    except Exception as exc:  # psycopg raises several kinds for a bad DSN
        raise BackendUnavailable(f"cannot connect to {dsn}: {exc}", location=dsn) from exc
    with conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        except psycopg.Error as exc:
            raise ConfigError(
                f"{dsn}: the pgvector extension is not installed in this database and cannot"
                f" be created here ({str(exc).strip()}). Install pgvector on the server, then"
                " run CREATE EXTENSION vector; in this database as a superuser."
            ) from exc


def _array(value: Any) -> Any:
    """Pgvector's ``Vector`` as a numpy array (other values as they are)."""
    return value.to_numpy() if hasattr(value, "to_numpy") else value


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _memory(row: dict[str, Any], sources: tuple[str, ...]) -> MemoryRecord:
    data = {key: _iso(row[key]) for key in MEMORY_COLUMNS}
    return memory_from_dict({**data, "sources": sources})


_TIMES = frozenset(
    {"occurred_at", "recorded_at", "valid_from", "valid_to", "expired_at", "last_used_at",
     "expires_at"}
)  # fmt: skip


def _params(memory: MemoryRecord) -> list[Any]:
    """Values for :data:`MEMORY_COLUMNS`: datetimes as datetimes, metadata as JSON."""
    data = memory_to_dict(memory)
    return [
        getattr(memory, c) if c in _TIMES else json.dumps(data[c]) if c == "metadata" else data[c]
        for c in MEMORY_COLUMNS
    ]


class PostgresStore(
    SQLIdempotency, MemoryStore, KeywordIndex, VectorIndex, GraphStore, KeyStore
):  # the SQL mixin first: it implements abstract methods of MemoryStore
    """Memories in PostgreSQL with pgvector.

    Args:
        dsn: a libpq connection string, e.g. ``postgresql://user@host/db``.
        dimensions: vector size of the embedder used with this store.
        pool_size: connections kept open.
    """

    capabilities = Capabilities(keyword=True, vector=True, graph=True, native_hybrid=False)
    read_only = False

    def __init__(self, dsn: str, *, dimensions: int, pool_size: int = 4) -> None:
        self.location = dsn
        self.dimensions = dimensions
        self._local = threading.local()
        self._corpus = CorpusStats()
        _probe(dsn)
        try:
            self._pool = ConnectionPool(
                dsn, min_size=1, max_size=pool_size, configure=self._configure, open=True,
                timeout=10, check=ConnectionPool.check_connection,
            )  # fmt: skip
            self._pool.wait(timeout=10)
        except PoolTimeout as exc:
            raise BackendUnavailable(f"cannot connect to {dsn}: {exc}", location=dsn) from exc
        self._migrate()

    def _configure(self, conn: Connection[Any]) -> None:
        conn.autocommit = True
        register_vector(conn)

    # ---------------------------------------------------------- unit of work
    @contextmanager
    def _connection(self) -> Iterator[Connection[Any]]:
        current = getattr(self._local, "conn", None)
        if current is not None:
            with _mapped_errors(self.location):
                yield current
            return
        with _mapped_errors(self.location), self._pool.connection() as conn:
            yield conn

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

    def _rows(self, query: sql.Composable | str, params: Sequence[Any] = ()) -> list[Any]:
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params)  # type: ignore[arg-type]
            return cur.fetchall()

    def _run(self, query: sql.Composable | str, params: Sequence[Any] = ()) -> None:
        with self._connection() as conn:
            conn.execute(query, params)  # type: ignore[arg-type]

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

    # ------------------------------------------------------------- writes
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
            cur.executemany(insert, [_params(m) for m in memories], returning=True)
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
                    _INSERT_EVENT,
                    [_event_row(m.id, EventKind.ADD, actor, m.recorded_at, m.scope, None, m)
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
                [*_params(memory), memory.id],
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
                self._record(row["id"], EventKind.DELETE, actor, at, scope_from_dict(row),
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
        self._run(_INSERT_EVENT, _event_row(memory_id, kind, actor, at, scope, before, after))

    def import_event(self, event: MemoryEvent) -> None:
        """Append an exported event."""
        e = event
        self._record(e.memory_id, e.kind, e.actor, e.at, e.scope, e.before, e.after)

    # -------------------------------------------------------------- reads
    def _memories(self, rows: Sequence[dict[str, Any]]) -> list[MemoryRecord]:
        ids = [r["id"] for r in rows]
        sources: dict[str, list[str]] = {}
        for r in self._rows(
            "SELECT memory_id, source_id FROM memory_sources WHERE memory_id = ANY(%s)"
            " ORDER BY position",
            (ids,),
        ):
            sources.setdefault(r["memory_id"], []).append(r["source_id"])
        return [_memory(r, tuple(sources.get(r["id"], ()))) for r in rows]

    def get_many(self, ids: Sequence[str]) -> dict[str, MemoryRecord]:
        """The memories among ``ids`` that exist, by id."""
        rows = self._rows(sql.SQL("{} WHERE m.id = ANY(%s)").format(_SELECT), (list(ids),))
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
            sql.SQL("{} WHERE m.rid > %s AND {} ORDER BY m.rid LIMIT %s").format(_SELECT, where),
            [after, *params, limit + 1],
        )
        return page_of(rows, limit, self._memories)

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
                _SELECT, sql.SQL(" OR ").join(clauses)
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
            ).format(_SELECT, where),
            [*params, limit],
        )
        return self._memories(rows[::-1])

    def episodes_at(self, scope: Scope, times: Sequence[datetime]) -> list[MemoryRecord]:
        """Active episodes in ``scope`` said at any of ``times``."""
        where, params = scope_where_sql(scope, None)
        rows = self._rows(
            sql.SQL("{} WHERE {} AND m.kind = 'episode' AND m.occurred_at = ANY(%s)").format(
                _SELECT, where
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
        return [SessionLog(scope_from_dict(r), int(r["n"]), r["last"]) for r in rows]

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
        return [self._event(r) for r in rows]

    def all_events(self) -> Iterator[MemoryEvent]:
        """Every event, oldest first."""
        return iter([self._event(r) for r in self._rows("SELECT * FROM memory_events ORDER BY id")])

    @staticmethod
    def _event(row: dict[str, Any]) -> MemoryEvent:
        return MemoryEvent(
            id=row["id"], memory_id=row["memory_id"], kind=EventKind(row["kind"]),
            actor=row["actor"], at=row["at"], scope=scope_from_dict(row),
            before=row["before"], after=row["after"],
        )  # fmt: skip

    def vectors_of(self, ids: Sequence[str]) -> dict[str, Vector]:
        """Stored vectors by memory id."""
        rows = self._rows(
            "SELECT m.id, v.vector FROM memories m JOIN vectors v ON v.rid = m.rid"
            " WHERE m.id = ANY(%s)",
            (list(ids),),
        )
        return {r["id"]: np.asarray(_array(r["vector"]), dtype=np.float32) for r in rows}

    def set_vectors(self, vectors: dict[str, Vector]) -> None:
        """Replace stored vectors."""
        with self.atomic():
            for memory_id, vector in vectors.items():
                self._run(
                    "INSERT INTO vectors (rid, vector) SELECT rid, %s FROM memories WHERE id = %s"
                    " ON CONFLICT (rid) DO UPDATE SET vector = excluded.vector",
                    (np.asarray(vector, dtype=np.float32), memory_id),
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
            "events": scalar("SELECT count(*) FROM memory_events"),
            "bytes_on_disk": scalar("SELECT pg_database_size(current_database())"),
        }

    def close(self) -> None:
        """Close the pool."""
        self._pool.close()

    # ------------------------------------------------------------- search
    def keyword_search(
        self, terms: Sequence[str], scope: Scope, flt: Filter | None, limit: int, *,
        as_of: datetime | None = None,
    ) -> list[ScoredId]:  # fmt: skip
        """Okapi BM25 over the indexed text, like the SQLite store (higher is better)."""
        if not terms:
            return []
        found = self._rows(
            "SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', %s))", [" ".join(terms)]
        )
        lexemes = sorted(r["lexeme"] for r in found)
        if not lexemes:
            return []  # only stop words
        mean_length, weights, matched = self._corpus.weights(lexemes, self._rows)
        where, params = scope_where_sql(scope, flt, as_of=as_of)
        rows = self._rows(
            bm25_query(where),
            [mean_length, lexemes, [weights[lex] for lex in lexemes], tsquery_text(matched),
             *params, limit],
        )  # fmt: skip
        return [(r["id"], float(r["s"])) for r in rows]

    def vector_search(
        self, vector: Vector, scope: Scope, flt: Filter | None, limit: int, *,
        as_of: datetime | None = None,
    ) -> list[ScoredId]:  # fmt: skip
        """Nearest memories by cosine similarity (HNSW, filtered iteratively by pgvector)."""
        where, params = scope_where_sql(scope, flt, as_of=as_of)
        probe = np.asarray(vector, dtype=np.float32)
        rows = self._rows(
            sql.SQL(
                "SELECT m.id, 1 - (v.vector <=> %s) AS s FROM memories m"
                " JOIN vectors v ON v.rid = m.rid WHERE {} ORDER BY v.vector <=> %s LIMIT %s"
            ).format(where),
            [probe, *params, probe, limit],
        )
        return [(r["id"], float(r["s"])) for r in rows]

    # -------------------------------------------------------------- graph
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
        return [entity_from_dict({**r, "created_at": _iso(r["created_at"])}) for r in rows]

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
        return [relation_from_dict({k: _iso(v) for k, v in r.items()}) for r in rows]

    def dump_graph(self) -> tuple[list[Entity], list[EntityMention], list[Relation]]:
        """Everything in the graph."""
        entities = [
            entity_from_dict({**r, "created_at": _iso(r["created_at"])})
            for r in self._rows("SELECT * FROM entities ORDER BY created_at, id")
        ]
        mentions = [
            EntityMention(r["entity_id"], r["memory_id"], r["role"])
            for r in self._rows("SELECT * FROM entity_mentions")
        ]
        relations = [
            relation_from_dict({k: _iso(v) for k, v in r.items()})
            for r in self._rows("SELECT * FROM relations ORDER BY id")
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

    # --------------------------------------------------------------- keys
    # ------------------------------------------------------------------ jobs
    placeholder = "%s"
    same = "IS NOT DISTINCT FROM"

    def _job_run(self, statement: str, params: Sequence[Any]) -> int:
        with self._connection() as conn:
            return conn.execute(statement, params).rowcount

    def _job_rows(self, statement: str, params: Sequence[Any]) -> list[Mapping[str, Any]]:
        return list(self._rows(statement, params))

    def _job_time_in(self, value: datetime) -> Any:
        return value

    def _job_time_out(self, value: Any) -> datetime:
        return cast(datetime, value)

    def save_key(self, key: ApiKey, digest: str) -> None:
        """Store a new key under its digest."""
        self._run(
            "INSERT INTO api_keys (id, digest, prefix, tenant_id, name, admin, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (key.id, digest, key.prefix, key.tenant_id, key.name, key.admin, key.created_at),
        )

    def key_by_digest(self, digest: str) -> ApiKey | None:
        """The key with this digest."""
        rows = self._rows("SELECT * FROM api_keys WHERE digest = %s", (digest,))
        return self._key(rows[0]) if rows else None

    def list_keys(self, tenant_id: str | None) -> list[ApiKey]:
        """Keys of a tenant, or all."""
        if tenant_id is None:
            rows = self._rows("SELECT * FROM api_keys ORDER BY created_at, id")
        else:
            rows = self._rows(
                "SELECT * FROM api_keys WHERE tenant_id = %s ORDER BY created_at, id", (tenant_id,)
            )
        return [self._key(r) for r in rows]

    def key_digests(self) -> dict[str, str]:
        """Every key's id and digest, to copy keys into another store."""
        return {r["id"]: r["digest"] for r in self._rows("SELECT id, digest FROM api_keys")}

    def revoke_key(self, key_id: str, at: datetime) -> ApiKey | None:
        """Revoke a key (idempotent)."""
        self._run(
            "UPDATE api_keys SET revoked_at = %s WHERE id = %s AND revoked_at IS NULL", (at, key_id)
        )
        rows = self._rows("SELECT * FROM api_keys WHERE id = %s", (key_id,))
        return self._key(rows[0]) if rows else None

    @staticmethod
    def _key(row: dict[str, Any]) -> ApiKey:
        return ApiKey(row["id"], row["prefix"], row["tenant_id"], row["name"], row["admin"],
                      row["created_at"], row["revoked_at"])  # fmt: skip
