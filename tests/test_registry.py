"""Backends are found by URL scheme through entry points: a third backend is a package."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

import engramdb.registry as registry
from engramdb import ConfigError, Memory
from engramdb.backends.sqlite.store import SQLiteStore
from engramdb.testing.fakes import HashEmbedder

OPENED: list[str] = []


def open_recorded(location: str, *, dimensions: int, read_only: bool) -> SQLiteStore:
    """A 'third-party' backend: records the URL it was given, keeps data in memory."""
    OPENED.append(location)
    return SQLiteStore(":memory:", dimensions=dimensions, read_only=read_only)


def open_nothing(location: str, **_: Any) -> object:
    return object()


def _register(monkeypatch: pytest.MonkeyPatch, **factories: str) -> None:
    installed = list(registry.entry_points(group=registry.GROUP))
    extra = [EntryPoint(name, value, registry.GROUP) for name, value in factories.items()]
    monkeypatch.setattr(registry, "entry_points", lambda group: [*installed, *extra])


def test_the_built_in_backends_are_registered_like_any_other() -> None:
    assert {"sqlite", "postgresql", "postgres"} <= set(registry.backends())
    assert registry.scheme_of("agent.db") == "sqlite"
    assert registry.scheme_of(":memory:") == "sqlite"
    assert registry.scheme_of("PostgreSQL://h/db") == "postgresql"


def test_a_backend_installed_as_a_package_opens_its_scheme(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _register(monkeypatch, recorded=f"{__name__}:open_recorded")
    with Memory.open("recorded://somewhere/db", embedder=HashEmbedder(), understand=False) as mem:
        mem.add("I keep bees", user_id="u")
        assert mem.search("bees", user_id="u")[0].memory.text == "I keep bees"
    assert OPENED[-1] == "recorded://somewhere/db"


def test_a_sqlite_url_is_a_file_path(tmp_path: Path) -> None:
    path = tmp_path / "agent.db"
    with Memory.open(f"sqlite://{path}", embedder=HashEmbedder(), understand=False) as mem:
        mem.add("hello", user_id="u")
    assert path.exists()


def test_an_unknown_scheme_names_the_installed_ones() -> None:
    with pytest.raises(ConfigError, match=r"unsupported location.*postgresql://.*sqlite://"):
        Memory.open("redis://localhost", embedder=HashEmbedder())


def test_a_factory_that_returns_no_store_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _register(monkeypatch, broken=f"{__name__}:open_nothing")
    with pytest.raises(ConfigError, match="not a MemoryStore"):
        Memory.open("broken://x", embedder=HashEmbedder())


# ------------------------------------------- a third-party backend runs the shipped suite
from engramdb.testing.conformance import *  # noqa: E402, F403


@pytest.fixture
def engramdb_location(monkeypatch: pytest.MonkeyPatch) -> str:
    """The conformance suite on the 'third-party' backend, found through its entry point."""
    _register(monkeypatch, recorded=f"{__name__}:open_recorded")
    return "recorded://conformance"
