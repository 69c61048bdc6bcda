"""The operations that recall and list memories."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Protocol

from engramdb.api.declare import Doc, Length, Range, Route, operation
from engramdb.api.declare import declaration_only as _declaration_only
from engramdb.api.params import (
    CONTEXT_BUDGET,
    MAX_K,
    MAX_PAGE,
    AgentId,
    AsOf,
    Budget,
    Filters,
    MemoryId,
    Query,
    SessionId,
    Task,
    Text,
    UserId,
)

if TYPE_CHECKING:
    from engramdb.model.context import Context
    from engramdb.model.lineage import Lineage, Timeline
    from engramdb.model.memory import MemoryEvent, MemoryRecord
    from engramdb.model.procedure import Procedure
    from engramdb.model.query import Hit, Page


class MemoryReads(Protocol):
    """Recall and listing."""

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
        Route("GET", "/v1/memories/{memory_id}/lineage", response="LineageOut"),
        cli="lineage",
    )
    def lineage(
        self,
        memory_id: MemoryId,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
    ) -> Lineage:
        """A memory with its provenance both ways and the truth around it.

        Its sources (the turns it came from), what was derived from it (facts, profile
        slots, gists), what it replaced (superseded or merged facts) and what replaced it,
        each chain followed to its end.

        Raises:
            NotFound: no such memory (in that scope).
        """
        raise _declaration_only()

    @operation(Route("GET", "/v1/timeline", response="TimelineOut"), cli="timeline")
    def timeline(
        self,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        limit: Annotated[int, Range(ge=1, le=MAX_PAGE), Doc("Turns per page.")] = 50,
        cursor: Annotated[
            str | None, Length(max=200), Doc("The next_cursor of the previous page.")
        ] = None,
    ) -> Timeline:
        """A scope's conversation in the order it was said, one page of turns at a time.

        Each page carries what was made of its turns: the facts and profile slots derived
        from them (current and superseded) and the episode, session and day gists that
        cover them.

        Raises:
            InvalidInput: no scope, a bad limit or a cursor this store did not hand out.
        """
        raise _declaration_only()
