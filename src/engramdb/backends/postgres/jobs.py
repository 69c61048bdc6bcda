"""The LLM job queue and idempotency keys in PostgreSQL (the shared SQL, this driver's hooks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from engramdb.backends._idempotency import SQLIdempotency
from engramdb.backends.postgres.connection import PostgresConnection

__all__ = ["PostgresJobs"]


class PostgresJobs(SQLIdempotency, PostgresConnection):
    """Mixed into the store: how the shared job SQL runs here."""

    placeholder = "%s"
    same = "IS NOT DISTINCT FROM"

    def _job_run(self, statement: str, params: Sequence[Any]) -> int:
        with self._connection() as conn:
            return conn.execute(statement, params).rowcount

    def _job_rows(self, statement: str, params: Sequence[Any]) -> list[Mapping[str, Any]]:
        return list(self._rows(statement, params))

    def _job_time_in(self, value: datetime) -> Any:
        return value

    def _job_time_out(self, value: Any) -> datetime:
        return cast(datetime, value)
