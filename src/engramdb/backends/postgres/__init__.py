"""The PostgreSQL + pgvector backend (the ``postgres`` extra)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engramdb.backends.postgres.store import PostgresStore

__all__ = ["open_store"]


def open_store(location: str, *, dimensions: int, read_only: bool = False) -> PostgresStore:
    """The store in a PostgreSQL database (a ``postgresql://`` DSN).

    ``read_only`` changes nothing here: it skips SQLite's writer lock, and
    PostgreSQL takes none (it serves many writers at once).
    """
    from engramdb.backends.postgres.store import PostgresStore

    return PostgresStore(location, dimensions=dimensions)
