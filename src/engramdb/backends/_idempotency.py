"""Idempotency keys in SQL, shared by the SQLite and PostgreSQL stores (like the job queue).

A key is kept with the fingerprint of the request it first came with and the ids of the
episodes that request stored, in the same transaction as those episodes: a retried
request finds it and gets the original result back, and two concurrent retries cannot
both store (the second one's insert violates the primary key and rolls back).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from engramdb.backends._jobs import SQLJobs
from engramdb.ports.store import IdempotentResult

__all__ = ["SQLIdempotency"]

_WHOLE_STORE = ""  # the tenant column of keys used through the whole store's own view


class SQLIdempotency(SQLJobs):
    """``idempotent_result`` / ``save_idempotent`` over the job queue's SQL hooks."""

    def idempotent_result(
        self, tenant_id: str | None, key: str, since: datetime
    ) -> IdempotentResult | None:
        """The fingerprint and stored ids recorded under ``key`` since ``since``."""
        rows = self._job_rows(
            self._sql(
                "SELECT fingerprint, result FROM idempotency_keys"
                " WHERE tenant_id = ? AND key = ? AND created_at >= ?"
            ),
            (tenant_id or _WHOLE_STORE, key, self._job_time_in(since)),
        )
        if not rows:
            return None
        return IdempotentResult(str(rows[0]["fingerprint"]), json.loads(rows[0]["result"]))

    def save_idempotent(
        self,
        tenant_id: str | None,
        key: str,
        fingerprint: str,
        result: Sequence[Sequence[str]],
        at: datetime,
        expired_before: datetime,
    ) -> None:
        """Record ``key`` (in the caller's transaction); keys older than the window go."""
        tenant = tenant_id or _WHOLE_STORE
        self._job_run(
            self._sql("DELETE FROM idempotency_keys WHERE created_at < ?"),
            (self._job_time_in(expired_before),),
        )
        self._job_run(
            self._sql(
                "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, result, created_at)"
                " VALUES (?, ?, ?, ?, ?)"
            ),
            (tenant, key, fingerprint, json.dumps([list(ids) for ids in result]),
             self._job_time_in(at)),
        )  # fmt: skip
