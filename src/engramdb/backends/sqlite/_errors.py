"""Translate sqlite3 exceptions into the engramdb tree at the backend boundary."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from engramdb.errors import BackendUnavailable, IntegrityViolation, StorageError

__all__ = ["map_sqlite_errors"]


@contextmanager
def map_sqlite_errors(location: str) -> Iterator[None]:
    """Re-raise sqlite3 errors as :class:`StorageError` subclasses, keeping the cause."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise IntegrityViolation(str(exc)) from exc
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "unable to open" in text or "locked" in text or "disk I/O" in text:
            raise BackendUnavailable(f"{location}: {text}", location=location) from exc
        raise StorageError(f"{location}: {text}") from exc
    except sqlite3.DatabaseError as exc:
        raise BackendUnavailable(f"{location}: {exc}", location=location) from exc
