"""Background jobs: LLM work that runs after the turns it is about are stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from engramdb.model.memory import Scope

__all__ = ["Job", "JobStatus"]


class JobStatus(StrEnum):
    """Where a job is: waiting to run, done, or failed (kept for ``retry``)."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Job:
    """One unit of deferred work, persisted with the memories it is about.

    Attributes:
        id: stable identifier.
        kind: what to do (``extract``, ``gist``).
        scope: the memories' scope (its tenant confines who sees the job).
        payload: what the job needs (e.g. ``{"episode_ids": [...]}``).
        status: pending, done or failed.
        attempts: how many times it ran.
        error: the last failure, for a failed job.
        created_at: when it was queued.
        updated_at: when its status last changed.
    """

    id: str
    kind: str
    scope: Scope
    payload: dict[str, Any] = field(hash=False)
    status: JobStatus
    attempts: int
    created_at: datetime
    updated_at: datetime
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict of every field; see :mod:`engramdb.model.codec`."""
        from engramdb.model.codec import job_to_dict

        return job_to_dict(self)
