"""What only a server store gives, and how it fails: many writer processes, readers beside
writers, lost connections, wrong DSNs, a database without pgvector, a newer schema."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter

import psycopg
import pytest
from tests.conftest import fresh_postgres

from engramdb import BackendUnavailable, ConfigError, Memory, MemoryRecord, MigrationError
from engramdb.backends.postgres.store import PostgresStore
from engramdb.retrieval.retriever import RetrievalSettings
from engramdb.testing import HashEmbedder

WRITERS = 4
ADDS_PER_WRITER = 1000


def _write(dsn: str, writer: int) -> None:
    with Memory.open(dsn, embedder=HashEmbedder(), understand=False) as mem:
        for n in range(ADDS_PER_WRITER):
            mem.add(f"writer {writer} note {n}", user_id="shared", session_id="s")


def _everything(mem: Memory, user_id: str) -> list[MemoryRecord]:
    stored, cursor = [], None
    while True:
        page = mem.get_all(user_id=user_id, limit=1000, cursor=cursor)
        stored += page.memories
        if page.next_cursor is None:
            return stored
        cursor = page.next_cursor


def test_writer_processes_lose_nothing_and_duplicate_nothing() -> None:
    dsn = fresh_postgres()
    with Memory.open(dsn, embedder=HashEmbedder(), understand=False):
        pass  # create the schema once, before the writers race
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_write, args=(dsn, w)) for w in range(WRITERS)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=600)
        assert process.exitcode == 0
    with Memory.open(dsn, embedder=HashEmbedder(), understand=False) as mem:
        stored = _everything(mem, "shared")
        texts = Counter(m.text for m in stored)
        expected = {f"writer {w} note {n}" for w in range(WRITERS) for n in range(ADDS_PER_WRITER)}
        assert len(stored) == WRITERS * ADDS_PER_WRITER and set(texts) == expected
        assert sorted(m.seq for m in stored) == list(range(WRITERS * ADDS_PER_WRITER))
        for memory in stored[:: ADDS_PER_WRITER // 10]:
            assert [e.kind.value for e in mem.history(memory.id)] == ["add"]
        assert mem.stats()["events"] == WRITERS * ADDS_PER_WRITER


def test_readers_are_not_blocked_by_an_open_write() -> None:
    dsn = fresh_postgres()
    with (
        Memory.open(dsn, embedder=HashEmbedder(), understand=False) as writer,
        Memory.open(dsn, embedder=HashEmbedder(), understand=False) as reader,
    ):
        writer.add("the committed note about Lisbon", user_id="u")
        written, release = threading.Event(), threading.Event()

        def write_and_hold() -> None:
            with writer.store.atomic():
                writer.add("an uncommitted note about Lisbon", user_id="u")
                written.set()
                release.wait(timeout=60)

        holder = threading.Thread(target=write_and_hold)
        holder.start()
        try:
            assert written.wait(timeout=60)
            seen: list[str] = []
            reading = threading.Thread(
                target=lambda: seen.extend(
                    h.memory.text for h in reader.search("Lisbon", user_id="u")
                )
            )
            reading.start()
            reading.join(timeout=30)
            assert not reading.is_alive() and holder.is_alive()
            assert seen == ["the committed note about Lisbon"]
        finally:
            release.set()
            holder.join()
        assert len(reader.search("Lisbon", user_id="u")) == 2


def _terminate(store: PostgresStore, dsn: str) -> None:
    """Kill the server process behind the connection the store's transaction is using."""
    pid = store._local.conn.info.backend_pid
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_dropped_mid_batch_is_retried_without_duplicates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dsn = fresh_postgres()
    with Memory.open(dsn, embedder=HashEmbedder(), understand=False) as mem:
        store = mem.store
        assert isinstance(store, PostgresStore)
        insert, drops = store.insert, []

        def insert_then_drop(*args, **kwargs):  # type: ignore[no-untyped-def]
            insert(*args, **kwargs)
            if not drops:
                drops.append(1)
                _terminate(store, dsn)

        monkeypatch.setattr(store, "insert", insert_then_drop)
        batch = [{"messages": f"turn {n}", "user_id": "u", "session_id": f"s{n}"} for n in range(5)]
        stored = mem.add_batch(batch)
        assert drops == [1] and len(stored) == 5
        assert sorted(m.text for m in mem.get_all(user_id="u", limit=50).memories) == [
            f"turn {n}" for n in range(5)
        ]
        assert mem.stats()["events"] == 5


def test_a_connection_that_keeps_dropping_fails_clearly_and_stores_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dsn = fresh_postgres()
    with Memory.open(dsn, embedder=HashEmbedder(), understand=False) as mem:
        store = mem.store
        insert = store.insert

        def insert_then_drop(*args, **kwargs):  # type: ignore[no-untyped-def]
            insert(*args, **kwargs)
            _terminate(store, dsn)

        monkeypatch.setattr(store, "insert", insert_then_drop)
        batch = [{"messages": "lost", "user_id": "u", "session_id": s} for s in ("a", "b")]
        with pytest.raises(BackendUnavailable) as caught:
            mem.add_batch(batch)  # dropped before the commit, on each of the attempts
        assert caught.value.retry_safe
        with pytest.raises(BackendUnavailable) as caught:
            mem.add_batch(batch[:1])  # dropped with only the commit left: outcome unknown
        assert not caught.value.retry_safe
        monkeypatch.undo()
        assert mem.get_all(user_id="u").memories == [] and mem.stats()["events"] == 0
        assert mem.add("after the outage", user_id="u")  # the pool replaced the connection


def test_acknowledged_writes_survive_every_connection_being_killed() -> None:
    dsn = fresh_postgres()
    with Memory.open(dsn, embedder=HashEmbedder(), understand=False) as mem:
        mem.add("acknowledged before the outage", user_id="u")
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        assert [h.memory.text for h in mem.search("outage", user_id="u")] == [
            "acknowledged before the outage"
        ]


def test_a_wrong_dsn_is_a_clear_error() -> None:
    fresh_postgres()
    for dsn in ("postgresql://postgres@127.0.0.1:1/engramdb", "postgresql://nobody@127.0.0.1:bad"):
        with pytest.raises(BackendUnavailable, match="cannot connect"):
            Memory.open(dsn, embedder=HashEmbedder())


def test_a_database_without_pgvector_is_a_clear_error() -> None:
    dsn = fresh_postgres()
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS engramdb_novector")
        admin.execute("DROP ROLE IF EXISTS engramdb_plain")
        admin.execute("CREATE ROLE engramdb_plain LOGIN")
        admin.execute("CREATE DATABASE engramdb_novector OWNER engramdb_plain")
    plain = dsn.replace("postgres@", "engramdb_plain@").rsplit("/", 1)[0] + "/engramdb_novector"
    with pytest.raises(ConfigError, match="pgvector extension is not installed"):
        Memory.open(plain, embedder=HashEmbedder())


def test_a_schema_from_a_newer_version_is_refused() -> None:
    dsn = fresh_postgres()
    with Memory.open(dsn, embedder=HashEmbedder(), understand=False) as mem:
        mem.add("kept", user_id="u")
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("INSERT INTO schema_migrations (version, name, sha256) VALUES (99, 'x', '')")
    with pytest.raises(MigrationError, match="newer than this engramdb"):
        Memory.open(dsn, embedder=HashEmbedder())
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("DELETE FROM schema_migrations WHERE version = 99")
    with Memory.open(dsn, embedder=HashEmbedder(), understand=False) as mem:
        assert [m.text for m in mem.get_all(user_id="u").memories] == ["kept"]


def test_a_write_never_waits_for_a_search_recounting_statistics() -> None:
    """A search recounting BM25 statistics holds their lock while it waits for a pooled
    connection; writers hold connections, so they must not need that lock."""
    dsn = fresh_postgres()
    with Memory.open(dsn, embedder=HashEmbedder(), understand=False) as mem:
        store = mem.store
        assert isinstance(store, PostgresStore)
        written = threading.Event()

        def write() -> None:
            mem.add("written while statistics are being recounted", user_id="u")
            written.set()

        with store._corpus._lock:
            writer = threading.Thread(target=write)
            writer.start()
            assert written.wait(timeout=30)
        writer.join()


def test_dense_searches_scan_the_hnsw_index_until_they_have_their_depth() -> None:
    """By default the HNSW index yields 40 rows before the scope filter: in one scope of a
    store of 110,000 memories a search asking for 50 got 15 to 40 (27 on average). Every
    connection of the store scans on, in exact order, until the limit is met."""
    store = PostgresStore(fresh_postgres(), dimensions=HashEmbedder().dimensions, pool_size=2)
    try:
        [setting] = store._rows(
            "SELECT current_setting('hnsw.iterative_scan') AS scan,"
            " current_setting('hnsw.ef_search')::int AS ef"
        )
    finally:
        store.close()
    assert setting["scan"] == "strict_order"
    assert setting["ef"] >= RetrievalSettings().candidates
