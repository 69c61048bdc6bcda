"""The background queue: LLM work that runs after the turns it concerns are stored.

A job is queued in the same transaction as its memories, so it exists exactly when
they do; it is marked done in the same transaction as its results, so a crash either
keeps the job pending (it runs again) or has stored everything. A job the model
cannot do after the call policy's retries is marked failed with the error, and runs
again on :meth:`JobRunner.retry` (``engramdb retry``). The LLM-free path has already
indexed the turns, so nothing is lost meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from engramdb.errors import EngramError
from engramdb.model.ids import new_id
from engramdb.model.jobs import Job, JobStatus
from engramdb.model.memory import MemoryKind, MemoryRecord, MemoryStatus, Scope
from engramdb.pipeline.llm.extract import extract_facts, judge_conflicts, store_extraction
from engramdb.pipeline.llm.gists import abstractive_gist
from engramdb.pipeline.llm.runner import LLMRunner
from engramdb.pipeline.vectors import embedding_text
from engramdb.ports.clock import Clock
from engramdb.ports.embedder import Embedder
from engramdb.ports.jobs import JobStore
from engramdb.ports.store import MemoryStore

__all__ = ["EXTRACT", "GIST", "JobRunner", "JobWorker", "extraction_jobs", "new_job"]

EXTRACT = "extract"
GIST = "gist"
_log = logging.getLogger("engramdb.jobs")


class _AlreadyDone(Exception):
    """Another worker finished the job first: roll this run back."""


def new_job(kind: str, scope: Scope, payload: dict[str, object], now: datetime) -> Job:
    """A pending job."""
    return Job(new_id(now), kind, scope, dict(payload), JobStatus.PENDING, 0, now, now)


class JobRunner:
    """Runs queued jobs with the LLM; one run at a time per process."""

    def __init__(
        self,
        store: MemoryStore,
        embedder: Embedder,
        runner: LLMRunner,
        clock: Clock,
        actor: str,
    ) -> None:
        assert isinstance(store, JobStore)
        self.store = store
        self.jobs: JobStore = store
        self.embedder = embedder
        self.llm = runner
        self.clock = clock
        self.actor = actor
        self._handlers: dict[str, Callable[[Job, Callable[[], None]], None]] = {
            EXTRACT: self._extract,
            GIST: self._gist,
        }
        self._one_at_a_time = threading.Lock()

    def run_pending(self, limit: int = 1000, stop: threading.Event | None = None) -> dict[str, int]:
        """Run pending jobs, oldest first, until ``stop`` is set; counts done and failed."""
        counts = {"done": 0, "failed": 0}
        with self._one_at_a_time:
            for job in self.jobs.list_jobs(JobStatus.PENDING, None, limit=limit, all_tenants=True):
                if stop is not None and stop.is_set():
                    break
                status = self.run(job)
                if status is not JobStatus.PENDING:
                    counts[status.value] += 1
        return counts

    def run(self, job: Job) -> JobStatus:
        """Run one job; how it ended (``PENDING`` if another worker had it)."""
        attempts = job.attempts + 1

        def done() -> None:
            now = self.clock.now()
            if not self.jobs.finish_job(job.id, JobStatus.DONE, attempts, None, now):
                raise _AlreadyDone

        try:
            self._handlers[job.kind](job, done)
        except _AlreadyDone:
            return JobStatus.PENDING
        except Exception as exc:  # a job must never take the worker down
            if not isinstance(exc, EngramError):
                _log.exception("job %s (%s) failed", job.id, job.kind)
            error = f"{type(exc).__name__}: {exc}"
            self.jobs.finish_job(job.id, JobStatus.FAILED, attempts, error, self.clock.now())
            return JobStatus.FAILED
        return JobStatus.DONE

    def _extract(self, job: Job, done: Callable[[], None]) -> None:
        found = self.store.get_many(list(job.payload["episode_ids"])).values()
        episodes = sorted(
            (m for m in found if m.kind is MemoryKind.EPISODE and m.status is MemoryStatus.ACTIVE),
            key=lambda m: (m.seq if m.seq is not None else -1, m.occurred_at),
        )
        if not episodes:  # deleted meanwhile: nothing to do
            with self.store.atomic():
                done()
            return
        now = self.clock.now()
        extraction = extract_facts(self.llm, self.store, episodes, now)
        decided = judge_conflicts(self.llm, self.store, extraction, episodes[0].scope)
        vectors = self.embedder.embed_many([embedding_text(f) for f in extraction.facts])
        with self.store.atomic():
            store_extraction(
                self.store, extraction, list(vectors), decided, now=now, actor=self.actor
            )
            done()

    def _gist(self, job: Job, done: Callable[[], None]) -> None:
        gist = self.store.get_many([str(job.payload["gist_id"])]).get(str(job.payload["gist_id"]))
        if gist is None or gist.status is not MemoryStatus.ACTIVE:
            with self.store.atomic():
                done()
            return
        rewritten = abstractive_gist(self.llm, self.store, gist)
        with self.store.atomic():
            self.store.replace(rewritten, None, self.actor, self.clock.now())
            done()

    def retry(self, job_ids: Sequence[str] | None, tenant_id: str | None) -> dict[str, int]:
        """Requeue failed jobs (those named, or all of the tenant) and run what is pending."""
        requeued = self.jobs.requeue_failed(job_ids, tenant_id, self.clock.now())
        return {"requeued": requeued, **self.run_pending()}


def extraction_jobs(stored: Sequence[Sequence[MemoryRecord]], now: datetime) -> list[Job]:
    """One ``extract`` job per ``add`` call's episodes."""
    return [
        new_job(EXTRACT, episodes[0].scope, {"episode_ids": [e.id for e in episodes]}, now)
        for episodes in stored
        if episodes
    ]


class JobWorker:
    """A daemon thread that runs pending jobs as they are queued (and every ``poll_s``)."""

    def __init__(self, runner: JobRunner, poll_s: float = 5.0) -> None:
        self.runner = runner
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="engramdb-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run pending jobs now."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the job in progress, then stop (pending jobs stay queued)."""
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.poll_s)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self.runner.run_pending(limit=50, stop=self._stopping)
            except EngramError:  # e.g. the store is briefly unavailable: try again later
                _log.warning("background jobs could not run", exc_info=True)
