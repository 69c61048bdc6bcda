"""The operations that recall, explain and move what is remembered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Annotated, Any, Literal, Protocol

from engramdb.api.declare import Doc, Length, Range, Route, operation
from engramdb.api.declare import declaration_only as _declaration_only
from engramdb.api.params import (
    CONTEXT_BUDGET,
    MAX_JOBS,
    MAX_K,
    MAX_PAGE,
    AgentId,
    AsOf,
    Budget,
    Filters,
    MemoryId,
    Owner,
    Query,
    SessionId,
    Task,
    Text,
    UserId,
)
from engramdb.model.validation import MAX_ID_CHARS

if TYPE_CHECKING:
    from pathlib import Path

    from engramdb.answering import Answer
    from engramdb.graph.profile import Profile
    from engramdb.model.graph import Entity, EntityPage
    from engramdb.model.jobs import Job
    from engramdb.model.memory import MemoryEvent, MemoryRecord
    from engramdb.model.procedure import Procedure
    from engramdb.model.query import Hit, Page
    from engramdb.retrieval.context import Context


class MemoryReads(Protocol):
    """Recall, listings, entities, LLM jobs, and export / import."""

    # ------------------------------------------------------------- reads
    @operation(
        Route("GET", "/v1/procedures", envelope="procedures", response="ProceduresOut",
              tags=("procedures",)),
        cli="procedures",
        mcp="how_to",
    )  # fmt: skip
    def procedures(
        self,
        task: Task,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        k: Annotated[int, Range(ge=1, le=50), Doc("How many procedures.")] = 3,
    ) -> list[Procedure]:
        """The best-known procedures for a task, most alike first, with their pitfalls.

        Raises:
            InvalidInput: bad task, scope or ``k``.
        """
        raise _declaration_only()

    @operation(
        Route("POST", "/v1/search", envelope="hits", response="HitsOut", request="SearchIn"),
        cli="search",
        mcp="recall",
    )
    def search(
        self,
        query: Query,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        k: Annotated[int, Range(ge=1, le=MAX_K), Doc("Maximum number of hits.")] = 10,
        filters: Filters = None,
        budget_tokens: Annotated[
            int | None, Range(ge=1, le=10_000_000), Doc("Token budget for the hits' text.")
        ] = None,
        as_of: AsOf = None,
    ) -> list[Hit]:
        """Hybrid recall within a scope, best first, each hit explained.

        Args:
            query: what to recall.
            user_id: scope to search (at least one scope key is required).
            agent_id: scope to search.
            session_id: scope to search.
            k: maximum number of hits (1..1000).
            filters: metadata filter (see :mod:`engramdb.model.filters`).
            budget_tokens: stop before the hits' texts exceed this many tokens.
            as_of: recall what was true at this time (timezone-aware): facts
                superseded later are included, memories from after it are not.
                Relative times in the query ("last Saturday") are resolved
                against it; without it, against now (the clock).

        Raises:
            InvalidInput: bad query, scope, ``k``, budget, filter or ``as_of``.
        """
        raise _declaration_only()

    @operation(
        Route("POST", "/v1/context", response="ContextOut", request="ContextIn"),
        cli="context",
        mcp="get_context",
    )
    def context(
        self,
        query: Annotated[Text, Doc("The task or question you are working on.")],
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        budget_tokens: Budget = CONTEXT_BUDGET,
        recent_turns: Annotated[
            int, Range(ge=0, le=50), Doc("How many latest turns to include.")
        ] = 3,
        as_of: AsOf = None,
        reinforce: Annotated[bool, Doc("Count what it holds as used (fades slower).")] = True,
    ) -> Context:
        """A ready-to-prompt context for a task or question, within a token budget.

        Sections: what is known about the people the query names, relevant facts
        that are true now, relevant conversation by day, and the latest turns.
        Relevance comes from :meth:`search`; nothing appears twice, and every
        item names the turns it stands for (``Context.sources``).

        Args:
            query: the task or question.
            user_id: scope (at least one scope key is required).
            agent_id: scope.
            session_id: scope.
            budget_tokens: the text never has more tokens than this (50..100,000).
            recent_turns: how many of the latest turns to include (0..50).
            as_of: build the context as it would have been at this time.
            reinforce: count the relevant memories it holds as used (they fade
                more slowly); ``False`` for a look that changes nothing.

        Raises:
            InvalidInput: bad query, scope, budget or time.
        """
        raise _declaration_only()

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

    @operation(Route("GET", "/v1/memories/{memory_id}", response="MemoryOut"), cli="get")
    def get(
        self,
        memory_id: MemoryId,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
    ) -> MemoryRecord:
        """One memory by id; with a scope, a memory outside it is :class:`NotFound`.

        Raises:
            NotFound: no such memory (in that scope).
        """
        raise _declaration_only()

    @operation(Route("GET", "/v1/memories", response="PageOut"), cli="list")
    def get_all(
        self,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        filters: Filters = None,
        limit: Annotated[int, Range(ge=1, le=MAX_PAGE), Doc("Page size.")] = 100,
        cursor: Annotated[
            str | None, Length(max=200), Doc("The next_cursor of the previous page.")
        ] = None,
        include_inactive: Annotated[
            bool, Doc("Also list superseded and archived memories.")
        ] = False,
        include_superseded: Annotated[
            bool, Doc("Also list superseded memories, not archived ones.")
        ] = False,
    ) -> Page:
        """List memories of a scope in insertion order, one page at a time.

        Args:
            user_id: scope (at least one scope key is required).
            agent_id: scope.
            session_id: scope.
            filters: metadata filter.
            limit: page size (1..1000).
            cursor: ``next_cursor`` of the previous page.
            include_inactive: also list superseded and archived memories.
            include_superseded: also list superseded memories (facts that are
                no longer true), but not archived ones.
        """
        raise _declaration_only()

    @operation(
        Route("GET", "/v1/memories/{memory_id}/history", envelope="events", response="EventsOut"),
        cli="history",
    )
    def history(self, memory_id: MemoryId) -> list[MemoryEvent]:
        """Every change of a memory (add, update, delete, ...), oldest first.

        Works after deletion too (the events then carry no content).

        Raises:
            NotFound: no memory with that id ever existed.
        """
        raise _declaration_only()

    @operation(
        Route("GET", "/v1/entities", envelope="entities", response="EntitiesOut",
              tags=("entities",)),
        cli="entities",
    )  # fmt: skip
    def entities(self, *, user_id: UserId = None, agent_id: AgentId = None) -> list[Entity]:
        """The people, places, organisations, pets, events and works of a user / agent."""
        raise _declaration_only()

    @operation(
        Route("GET", "/v1/entities/{name_or_id}", response="EntityPageOut", tags=("entities",)),
        cli="entity",
        mcp="about",
    )
    def entity(
        self,
        name_or_id: Annotated[Owner, Doc("An entity's name, alias or id.")],
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
    ) -> EntityPage:
        """An entity's page: its mentions (with source turns), facts and relations.

        Args:
            name_or_id: the entity id, its name, an alias or (for a person) a nickname.
            user_id: the user whose entities to look in.
            agent_id: the agent whose entities to look in.

        Raises:
            NotFound: no such entity in that scope.
        """
        raise _declaration_only()

    @operation(
        Route("GET", "/v1/profiles/{person}", response="ProfileOut", tags=("entities",)),
        cli="profile",
    )
    def profile(
        self,
        person: Annotated[Owner, Doc("A person's name, alias or id.")],
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
    ) -> Profile:
        """What is known now about a person, slot by slot (name, age, home, job, ...).

        Raises:
            NotFound: no such person in that scope.
        """
        raise _declaration_only()

    @operation(Route("GET", "/ready", tags=("probes",)))
    def ping(self) -> None:
        """Check that the store answers (for readiness probes).

        Raises:
            StorageError: the store cannot be read.
        """
        raise _declaration_only()

    # ------------------------------------------------------ maintenance
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
