"""Translate sqlite3 exceptions into the engramdb tree at the backend boundary."""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, Protocol, TypeVar

from engramdb.errors import BackendUnavailable, IntegrityViolation, StorageError

__all__ = ["guarded", "map_sqlite_errors"]

P = ParamSpec("P")
R = TypeVar("R")


class _Guarded(Protocol):
    location: str
    _lock: threading.RLock


def guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Serialise access to the store's shared connection and map driver errors."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store: _Guarded = args[0]  # type: ignore[assignment]
        with store._lock, map_sqlite_errors(store.location):
            return method(*args, **kwargs)

    return wrapper


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
