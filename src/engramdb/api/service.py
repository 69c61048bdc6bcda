"""The LLM layer and the store's upkeep."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Annotated, Any, Literal, Protocol

from engramdb.api.declare import Doc, Length, Range, Route, operation
from engramdb.api.declare import declaration_only as _declaration_only
from engramdb.api.params import (
    CONTEXT_BUDGET,
    MAX_JOBS,
    AgentId,
    AsOf,
    Budget,
    SessionId,
    Text,
    UserId,
)
from engramdb.model.validation import MAX_ID_CHARS

if TYPE_CHECKING:
    from pathlib import Path

    from engramdb.model.answer import Answer
    from engramdb.model.jobs import Job


class MemoryService(Protocol):
    """Answers, LLM jobs and usage, health, export and import."""

    @operation(
        Route("POST", "/v1/answer", response="AnswerOut", request="AnswerIn", tags=("llm",)),
        cli="answer",
    )
    def answer(
        self,
        question: Annotated[Text, Doc("The question to answer.")],
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        budget_tokens: Budget = CONTEXT_BUDGET,
        as_of: AsOf = None,
    ) -> Answer:
        """Answer a question from memory, with citations (needs an LLM).

        The context is built as by :meth:`context`; the model answers from it and
        cites the memories it used (``Answer.citations``; ``Answer.sources`` are the
        turns they stand for).

        Raises:
            CapabilityMissing: no LLM configured.
            InvalidInput: bad question, scope, budget or time.
            LLMError: the model failed after the call policy's retries.
        """
        raise _declaration_only()

    @operation(Route("GET", "/v1/usage", tags=("llm",)))
    def usage(self) -> dict[str, dict[str, Any]]:
        """LLM usage per operation since the store was opened (empty without an LLM).

        For each operation: calls, cache hits, retries, failures, tokens, cost and
        latency p50 / p95.
        """
        raise _declaration_only()

    @operation(
        Route("GET", "/v1/jobs", envelope="jobs", response="JobsOut", tags=("llm",)), cli="jobs"
    )
    def jobs(
        self,
        *,
        status: Annotated[
            Literal["pending", "done", "failed"] | None, Doc("Only the jobs in this state.")
        ] = None,
        limit: Annotated[int, Range(ge=1, le=MAX_JOBS), Doc("How many jobs at most.")] = 100,
    ) -> list[Job]:
        """This tenant's background LLM jobs, oldest first (``status``: pending, done, failed).

        Raises:
            CapabilityMissing: no LLM configured.
            InvalidInput: unknown status or bad limit.
        """
        raise _declaration_only()

    @operation(
        Route("POST", "/v1/jobs/retry", response="RetriedOut", request="RetryIn", tags=("llm",)),
        cli="retry",
    )
    def retry(
        self,
        job_ids: Annotated[
            Sequence[Annotated[str, Length(1, MAX_ID_CHARS)]] | None,
            Length(max=MAX_JOBS),
            Doc("The failed jobs to run again (none: all of the tenant's)."),
        ] = None,
    ) -> dict[str, int]:
        """Run failed LLM jobs again (those named, or all of this tenant's), then the pending.

        Returns ``requeued``, ``done`` and ``failed`` counts.

        Raises:
            CapabilityMissing: no LLM configured.
        """
        raise _declaration_only()

    @operation(Route("GET", "/ready", tags=("probes",)))
    def ping(self) -> None:
        """Check that the store answers (for readiness probes).

        Raises:
            StorageError: the store cannot be read.
        """
        raise _declaration_only()

    @operation(Route("GET", "/v1/export", tags=("portability",), streaming=True), cli="export")
    def export(self, target: str | Path | IO[str]) -> int:
        """Write the whole store (a tenant view: the tenant's data) as versioned JSONL.

        Memories of every status with their vectors, their events and the entity graph.

        Returns:
            The number of memories written.
        """
        raise _declaration_only()

    @operation(
        Route("POST", "/v1/import", 201, tags=("portability",), streaming=True), cli="import"
    )
    def import_(self, source: str | Path | IO[str]) -> int:
        """Load an export into this store, ids, times, vectors and history intact.

        A tenant view moves every imported record into its tenant.

        Raises:
            InvalidInput: not an engramdb export, or an unsupported version.
            Conflict: a memory id already exists here; nothing is imported.
        """
        raise _declaration_only()
