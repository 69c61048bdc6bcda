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
from engramdb.pipeline.normalize import MAX_ID_CHARS

if TYPE_CHECKING:
    from pathlib import Path

    from engramdb.answering import Answer
    from engramdb.model.graph import Entity, EntityPage
    from engramdb.model.jobs import Job
    from engramdb.model.memory import MemoryEvent, MemoryRecord
    from engramdb.model.procedure import Procedure
    from engramdb.model.query import Hit, Page
    from engramdb.pipeline.understand.profile import Profile
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
        """The best-known procedures for a task, with success rates and pitfalls."""
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
        """Hybrid recall within a scope, best first, each hit with the signals behind it."""
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
        """A ready-to-prompt context for a task: profiles, facts, conversation, latest turns."""
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
        """Answer a question from memory with citations (501 without an LLM, 502 if it fails)."""
        raise _declaration_only()

    @operation(Route("GET", "/v1/usage", tags=("llm",)))
    def usage(self) -> dict[str, dict[str, Any]]:
        """LLM calls, tokens, cost and latency per operation since the server started."""
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
        """The tenant's background LLM jobs, oldest first, with the error of failed ones."""
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
        """Run failed LLM jobs again (those named, or all of the tenant's), then the pending."""
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
        """One memory by id; with a scope, a memory outside it is not found."""
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
        """Memories of a scope in insertion order, one page at a time."""
        raise _declaration_only()

    @operation(
        Route("GET", "/v1/memories/{memory_id}/history", envelope="events", response="EventsOut"),
        cli="history",
    )
    def history(self, memory_id: MemoryId) -> list[MemoryEvent]:
        """Every change of a memory, oldest first (also after deletion, without content)."""
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
        """An entity's page: its mentions, facts and relations."""
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
        """What is known now about a person, slot by slot."""
        raise _declaration_only()

    @operation(Route("GET", "/ready", tags=("probes",)))
    def ping(self) -> None:
        """Check that the store answers (the server: that it is ready)."""
        raise _declaration_only()

    # ------------------------------------------------------ maintenance
    @operation(Route("GET", "/v1/export", tags=("portability",), streaming=True), cli="export")
    def export(self, target: str | Path | IO[str]) -> int:
        """The whole memory (a tenant's: its own) as versioned JSON Lines; returns the count."""
        raise _declaration_only()

    @operation(
        Route("POST", "/v1/import", 201, tags=("portability",), streaming=True), cli="import"
    )
    def import_(self, source: str | Path | IO[str]) -> int:
        """Load an export, all or nothing; returns how many memories were imported."""
        raise _declaration_only()
