"""The optional LLM layer as the engine sees it.

One object queues and runs the LLM jobs, answers questions and counts usage.

Everything here imports :mod:`engramdb.pipeline.llm` (and so pydantic) lazily: a
:class:`~engramdb.engine.Memory` without a model never loads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from engramdb.errors import CapabilityMissing
from engramdb.model.jobs import Job, JobStatus
from engramdb.model.memory import MemoryRecord
from engramdb.ports.clock import Clock
from engramdb.ports.embedder import Embedder
from engramdb.ports.jobs import JobStore
from engramdb.ports.llm import ChatModel
from engramdb.ports.store import MemoryStore

if TYPE_CHECKING:
    from engramdb.model.answer import Answer
    from engramdb.model.context import Context
    from engramdb.pipeline.llm.runner import CallPolicy

__all__ = ["Enhancer"]


class Enhancer:
    """Runs a :class:`ChatModel` for one store.

    Args:
        store: the store (it must keep jobs).
        embedder: embeds the facts the model extracts.
        model: the chat model.
        clock: "now" for prompts and jobs.
        actor: author of the changes jobs make.
        policy: retries, backoff and the answer cache.
        background: run jobs on a worker thread (``False``: only on ``run_jobs`` /
            ``retry`` and ``sync`` adds).
    """

    def __init__(
        self,
        store: MemoryStore,
        embedder: Embedder,
        model: ChatModel,
        clock: Clock,
        actor: str,
        *,
        policy: CallPolicy | None = None,
        background: bool = True,
    ) -> None:
        try:
            from engramdb.pipeline.llm.jobs import JobRunner, JobWorker
            from engramdb.pipeline.llm.runner import LLMRunner
        except ImportError as exc:
            raise CapabilityMissing(
                f"the LLM layer needs the llm extra: pip install 'engramdb[llm]' ({exc})",
                extra="llm",
            ) from exc
        if not isinstance(store, JobStore):
            raise CapabilityMissing("this store cannot keep the LLM layer's job queue")
        self.model = model
        self.clock = clock
        self.runner = LLMRunner(model, clock, policy)
        self.jobs = JobRunner(store, embedder, self.runner, clock, actor)
        self.queue: JobStore = store
        self.worker = JobWorker(self.jobs) if background and not store.read_only else None

    def queue_extraction(self, stored: list[list[MemoryRecord]]) -> list[Job]:
        """Queue one extraction job per add (inside the add's transaction)."""
        from engramdb.pipeline.llm.jobs import extraction_jobs

        jobs = extraction_jobs(stored, self.clock.now())
        self.queue.enqueue(jobs)
        return jobs

    def queue_gists(self, gists: Sequence[MemoryRecord]) -> None:
        """Queue an abstractive rewrite of each new gist (inside consolidation's transaction)."""
        from engramdb.pipeline.llm.jobs import GIST, new_job

        now = self.clock.now()
        self.queue.enqueue([new_job(GIST, g.scope, {"gist_id": g.id}, now) for g in gists])

    def after_write(self, queued: Sequence[Job], *, sync: bool) -> None:
        """Run the jobs just queued now (``sync``), or let the worker take them."""
        if sync:
            for job in queued:
                self.jobs.run(job)
        elif self.worker is not None:
            self.worker.wake()

    def answer(self, context: Context) -> Answer:
        """The model's answer to ``context.query``, citing memories of ``context``."""
        from engramdb.answering import answer_from_context

        return answer_from_context(self.runner, context)

    def list_jobs(self, status: JobStatus | None, tenant_id: str | None, limit: int) -> list[Job]:
        """This tenant's jobs, oldest first."""
        return self.queue.list_jobs(status, tenant_id, limit=limit, all_tenants=False)

    def retry(self, job_ids: Sequence[str] | None, tenant_id: str | None) -> dict[str, int]:
        """Requeue failed jobs and run every pending one now."""
        return self.jobs.retry(job_ids, tenant_id)

    def run_jobs(self) -> dict[str, int]:
        """Run every pending job now."""
        return self.jobs.run_pending()

    def usage(self) -> dict[str, dict[str, Any]]:
        """Calls, tokens, cost and latency per operation since the store was opened."""
        return self.runner.usage()

    def close(self) -> None:
        """Stop the worker after the job in progress (pending jobs stay queued)."""
        if self.worker is not None:
            self.worker.stop()
