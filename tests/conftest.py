"""Shared fixtures: real stores, the hash embedder for speed, the real model where it matters."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engramdb import Memory
from engramdb.ports.nlp import Parser
from engramdb.testing import FrozenClock, HashEmbedder

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LOCOMO = DATA / "locomo10.json"
LONGMEMEVAL = DATA / "longmemeval_s_dev.json.gz"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


PG_DSN = os.environ.get("ENGRAMDB_TEST_PG_DSN")


def fresh_postgres() -> str:
    """The test server's DSN, its database emptied (skips when no server is configured)."""
    if not PG_DSN:
        pytest.skip("no PostgreSQL: set ENGRAMDB_TEST_PG_DSN (scripts/postgres.sh starts one)")
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute("SET client_min_messages = warning")
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return PG_DSN


#: every backend the conformance suite runs on
BACKENDS = ["sqlite-memory", "sqlite-file", "postgres"]


def backend_location(backend: str, tmp_path: Path) -> str:
    """Where a fresh store of ``backend`` lives (a new file, or the emptied test server)."""
    if backend == "postgres":
        return fresh_postgres()
    return ":memory:" if backend == "sqlite-memory" else str(tmp_path / "m.db")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def mem(backend: str, tmp_path: Path, clock: FrozenClock) -> Iterator[Memory]:
    """A fresh engine on each backend, with the hash embedder and a frozen clock."""
    location = backend_location(backend, tmp_path)
    with Memory.open(location, embedder=HashEmbedder(), clock=clock) as memory:
        yield memory


@pytest.fixture
def umem(
    backend: str, tmp_path: Path, clock: FrozenClock, spacy_parser: Parser
) -> Iterator[Memory]:
    """An engine that understands (the spaCy parser), on each backend."""
    location = backend_location(backend, tmp_path)
    with Memory.open(location, embedder=HashEmbedder(), clock=clock, parser=spacy_parser) as memory:
        yield memory


@pytest.fixture
def file_mem(tmp_path: Path, clock: FrozenClock) -> Iterator[Memory]:
    with Memory.open(tmp_path / "m.db", embedder=HashEmbedder(), clock=clock) as memory:
        yield memory


@pytest.fixture(scope="session")
def spacy_parser() -> Parser:
    from engramdb.providers.nlp.spacy_parser import SpacyParser

    return SpacyParser()


@pytest.fixture(scope="session")
def minilm():  # type: ignore[no-untyped-def]
    from engramdb.wiring import default_embedder

    return default_embedder()  # MiniLM, int8


def say(name: str, content: str, **extra: object) -> dict[str, object]:
    return {"role": "user", "name": name, "content": content, **extra}


def dump_store(mem: Memory) -> str:
    """Every row of every table of ``mem``'s store as text, to check what it holds."""
    store = mem.store
    if hasattr(store, "_conn"):  # SQLite
        return "\n".join(store._conn.iterdump())
    tables = store._rows("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    from psycopg import sql

    lines: list[str] = []
    for table in tables:
        query = sql.SQL("SELECT t::text AS row FROM {} t").format(
            sql.Identifier(table["tablename"])
        )
        lines.extend(row["row"] for row in store._rows(query))
    return "\n".join(lines)
