"""The embedded SQLite backend (the default): one file, zero set-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engramdb.backends.sqlite.store import SQLiteStore

__all__ = ["open_store"]


def open_store(location: str, *, dimensions: int, read_only: bool = False) -> SQLiteStore:
    """The store in a SQLite file (``path``, ``sqlite:///path`` or ``":memory:"``)."""
    from engramdb.backends.sqlite.store import SQLiteStore

    path = location.removeprefix("sqlite://") if "://" in location else location
    return SQLiteStore(path, dimensions=dimensions, read_only=read_only)
