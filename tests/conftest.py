"""Shared fixtures: real stores, the hash embedder for speed, the real model where it matters."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engramdb import Memory
from engramdb.testing import FrozenClock, HashEmbedder

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LOCOMO = Path(__file__).resolve().parents[2] / "shared" / "data" / "locomo10.json"


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


@pytest.fixture(
    params=["memory", "file", "postgres"], ids=["sqlite-memory", "sqlite-file", "postgres"]
)
def mem(request: pytest.FixtureRequest, tmp_path: Path, clock: FrozenClock) -> Iterator[Memory]:
    """A fresh engine on each backend, with the hash embedder and a frozen clock."""
    location = {
        "memory": ":memory:",
        "file": str(tmp_path / "m.db"),
        "postgres": "",
    }[request.param] or fresh_postgres()
    with Memory.open(location, embedder=HashEmbedder(), clock=clock) as memory:
        yield memory


@pytest.fixture
def file_mem(tmp_path: Path, clock: FrozenClock) -> Iterator[Memory]:
    with Memory.open(tmp_path / "m.db", embedder=HashEmbedder(), clock=clock) as memory:
        yield memory


@pytest.fixture(scope="session")
def minilm():  # type: ignore[no-untyped-def]
    from engramdb.providers.embedders.minilm import MiniLMEmbedder

    return MiniLMEmbedder()


def say(name: str, content: str, **extra: object) -> dict[str, object]:
    return {"role": "user", "name": name, "content": content, **extra}
