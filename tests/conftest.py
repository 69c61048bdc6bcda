"""Shared fixtures: real stores, the hash embedder for speed, the real model where it matters."""

from __future__ import annotations

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


@pytest.fixture(params=["memory", "file"], ids=["sqlite-memory", "sqlite-file"])
def mem(request: pytest.FixtureRequest, tmp_path: Path, clock: FrozenClock) -> Iterator[Memory]:
    """A fresh engine on each SQLite mode, with the hash embedder and a frozen clock."""
    location = ":memory:" if request.param == "memory" else str(tmp_path / "m.db")
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
