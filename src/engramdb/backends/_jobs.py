"""The job queue in SQL, shared by the SQLite and PostgreSQL stores.

Both stores speak DB-API with their own placeholder; each supplies three small
hooks (run a statement, fetch rows as mappings, convert a time) and inherits the rest.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from engramdb.model.jobs import Job, JobStatus
from engramdb.model.memory import Scope
from engramdb.ports.jobs import JobStore

__all__ = ["SQLJobs"]

_COLUMNS = (
    "id, kind, user_id, agent_id, session_id, tenant_id, payload, status, attempts, error,"
    " created_at, updated_at"
)


class SQLJobs(JobStore):
    """:class:`JobStore` over any SQL store; ``?`` placeholders are rewritten per dialect."""

    placeholder = "?"
    same = "IS"  # NULL-safe equality: SQLite ``IS``, PostgreSQL ``IS NOT DISTINCT FROM``

    @abstractmethod
    def _job_run(self, statement: str, params: Sequence[Any]) -> int:
        """Run one statement; how many rows it changed."""

    @abstractmethod
    def _job_rows(self, statement: str, params: Sequence[Any]) -> list[Mapping[str, Any]]:
        """Rows of one query, as mappings."""

    @abstractmethod
    def _job_time_in(self, value: datetime) -> Any:
        """A time as the driver stores it."""

    @abstractmethod
    def _job_time_out(self, value: Any) -> datetime:
        """A stored time as an aware datetime."""

    def _sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder).replace(" IS ", f" {self.same} ")

    def enqueue(self, jobs: Sequence[Job]) -> None:
        """Queue new jobs (in the caller's transaction, if any)."""
        for job in jobs:
            self._job_run(
                self._sql(f"INSERT INTO jobs ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"),
                (job.id, job.kind, job.scope.user_id, job.scope.agent_id, job.scope.session_id,
                 job.scope.tenant_id, json.dumps(job.payload), job.status.value, job.attempts,
                 job.error, self._job_time_in(job.created_at), self._job_time_in(job.updated_at)),
            )  # fmt: skip

    def list_jobs(
        self, status: JobStatus | None, tenant_id: str | None, *, limit: int, all_tenants: bool
    ) -> list[Job]:
        """Jobs, oldest first; of one tenant unless ``all_tenants``."""
        where: list[str] = []
        params: list[str | None] = []
        if status is not None:
            where.append("status = ?")
            params.append(status.value)
        if not all_tenants:
            where.append("tenant_id IS ?")
            params.append(tenant_id)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self._job_rows(
            self._sql(f"SELECT {_COLUMNS} FROM jobs{clause} ORDER BY created_at, id LIMIT ?"),
            (*params, limit),
        )
        return [self._job(row) for row in rows]

    def finish_job(
        self, job_id: str, status: JobStatus, attempts: int, error: str | None, at: datetime
    ) -> bool:
        """Record how a run of a pending job ended; ``False`` if it was no longer pending."""
        changed = self._job_run(
            self._sql("UPDATE jobs SET status = ?, attempts = ?, error = ?, updated_at = ?"
                      " WHERE id = ? AND status = ?"),
            (status.value, attempts, error, self._job_time_in(at), job_id,
             JobStatus.PENDING.value),
        )  # fmt: skip
        return changed == 1

    def requeue_failed(
        self, job_ids: Sequence[str] | None, tenant_id: str | None, at: datetime
    ) -> int:
        """Make failed jobs of the tenant pending again (those named, or all); how many."""
        failed = self.list_jobs(JobStatus.FAILED, tenant_id, limit=1_000_000, all_tenants=False)
        chosen = [j.id for j in failed if job_ids is None or j.id in set(job_ids)]
        for job_id in chosen:
            self._job_run(
                self._sql("UPDATE jobs SET status = ?, updated_at = ? WHERE id = ?"),
                (JobStatus.PENDING.value, self._job_time_in(at), job_id),
            )
        return len(chosen)

    def _job(self, row: Mapping[str, Any]) -> Job:
        return Job(
            id=row["id"],
            kind=row["kind"],
            scope=Scope(row["user_id"], row["agent_id"], row["session_id"], row["tenant_id"]),
            payload=json.loads(row["payload"]),
            status=JobStatus(row["status"]),
            attempts=int(row["attempts"]),
            created_at=self._job_time_out(row["created_at"]),
            updated_at=self._job_time_out(row["updated_at"]),
            error=row["error"],
        )
