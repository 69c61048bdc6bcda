"""Where background jobs are kept: in the store, beside the memories they concern."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime

from engramdb.model.jobs import Job, JobStatus

__all__ = ["JobStore"]


class JobStore(ABC):
    """A durable job queue.

    ``enqueue`` joins the caller's transaction, so a job exists exactly when the
    memories it is about were committed.
    """

    @abstractmethod
    def enqueue(self, jobs: Sequence[Job]) -> None:
        """Queue new jobs (status pending)."""

    @abstractmethod
    def list_jobs(
        self, status: JobStatus | None, tenant_id: str | None, *, limit: int, all_tenants: bool
    ) -> list[Job]:
        """Jobs, oldest first; of one tenant unless ``all_tenants``."""

    @abstractmethod
    def finish_job(
        self, job_id: str, status: JobStatus, attempts: int, error: str | None, at: datetime
    ) -> bool:
        """Record how a run of a pending job ended.

        Returns ``False`` if it was no longer pending (another worker finished it: the
        caller's transaction should roll back).
        """

    @abstractmethod
    def requeue_failed(
        self, job_ids: Sequence[str] | None, tenant_id: str | None, at: datetime
    ) -> int:
        """Make failed jobs pending again (those named, or all of the tenant); how many."""
