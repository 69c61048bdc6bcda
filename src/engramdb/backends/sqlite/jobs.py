"""The job queue in the SQLite store."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from engramdb.backends._idempotency import SQLIdempotency
from engramdb.backends.sqlite._errors import map_sqlite_errors
from engramdb.backends.sqlite._rows import to_db_time
from engramdb.model.codec import dt_from_iso

__all__ = ["SQLiteJobs"]


class SQLiteJobs(SQLIdempotency):
    """Mixed into the SQLite store; uses its connection, lock and unit of work."""

    _conn: sqlite3.Connection
    _lock: threading.RLock
    location: str
    atomic: Callable[[], AbstractContextManager[None]]

    def _job_run(self, statement: str, params: Sequence[Any]) -> int:
        with map_sqlite_errors(self.location), self.atomic():
            return self._conn.execute(statement, params).rowcount

    def _job_rows(self, statement: str, params: Sequence[Any]) -> list[Mapping[str, Any]]:
        with map_sqlite_errors(self.location), self._lock:
            return list(self._conn.execute(statement, params).fetchall())

    def _job_time_in(self, value: datetime) -> Any:
        return to_db_time(value)

    def _job_time_out(self, value: Any) -> datetime:
        parsed = dt_from_iso(value)
        assert parsed is not None  # NOT NULL column
        return parsed
