"""The operations that recall: validate, then delegate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from engramdb.api import CONTEXT_BUDGET, check_bounds
from engramdb.api.params import MAX_PAGE, AgentId, AsOf, SessionId, UserId
from engramdb.errors import InvalidInput, NotFound
from engramdb.graph import lineage, pages
from engramdb.jobs import forgetting
from engramdb.model.context import Context
from engramdb.model.filters import And, Cond, parse_filter
from engramdb.model.graph import Entity, EntityPage
from engramdb.model.jobs import Job, JobStatus
from engramdb.model.lineage import Lineage, Timeline
from engramdb.model.memory import MemoryEvent, MemoryRecord, MemoryStatus
from engramdb.model.procedure import Procedure
from engramdb.model.profile import Profile
from engramdb.model.query import Hit, Page
from engramdb.model.validation import (
    check_id,
    check_text,
    check_time,
)
from engramdb.pipeline.learn import recall_procedures
from engramdb.retrieval.context import context_for

if TYPE_CHECKING:
    from engramdb.model.answer import Answer

from engramdb.facade.core import Core

__all__ = ["Reading"]


class Reading(Core):
    """Recall, listing, the graph and the LLM layer."""

    # ------------------------------------------------------------- reads
    def procedures(
        self, task: str, *, user_id: UserId = None, agent_id: AgentId = None, k: int = 3
    ) -> list[Procedure]:
        check_text(task, "task")
        check_bounds("procedures", k=k)
        return recall_procedures(self.store, self.embedder, task, self._scope(user_id, agent_id), k)

    def search(
        self,
        query: str,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        k: int = 10,
        filters: dict[str, Any] | None = None,
        budget_tokens: int | None = None,
        as_of: AsOf = None,
    ) -> list[Hit]:
        check_text(query, "query")
        scope = self._scope(user_id, agent_id, session_id)
        check_bounds("search", k=k, budget_tokens=budget_tokens)
        flt = parse_filter(filters)
        at = None if as_of is None else check_time(as_of, "as_of")
        now = self.clock.now()
        return self.retriever.search(
            query, scope, flt, k=k, budget_tokens=budget_tokens, as_of=at, now=now,
            retention_at=now,
        )  # fmt: skip

    def context(
        self,
        query: str,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        budget_tokens: int = CONTEXT_BUDGET,
        recent_turns: int = 3,
        as_of: AsOf = None,
        reinforce: bool = True,
    ) -> Context:
        check_bounds("context", budget_tokens=budget_tokens, recent_turns=recent_turns)
        hits = self.search(
            query, user_id=user_id, agent_id=agent_id, session_id=session_id, k=100, as_of=as_of
        )
        where = self._scope(user_id, agent_id, session_id)
        people = pages.people_named(self.store, query, where)
        built = context_for(
            self.store, query, hits, where, budget_tokens=budget_tokens, recent_turns=recent_turns,
            as_of=None if as_of is None else check_time(as_of, "as_of"),
            profiles=pages.profile_lines(pages.graph_of(self.store), people) if people else (),
            names=frozenset(word for p in people for word in p.name.lower().split()),
        )  # fmt: skip
        if reinforce:  # what goes into a prompt is used: it fades more slowly
            used = [i.memory for i in (*built.facts, *built.episodes)]
            forgetting.reinforce(self.store, used, self.clock.now())
        return built

    def get(
        self,
        memory_id: str,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
    ) -> MemoryRecord:
        if not isinstance(memory_id, str) or not memory_id:
            raise InvalidInput("memory_id must be a non-empty string", field="memory_id")
        scope = self._scope(user_id, agent_id, session_id, required=False)
        found = self.store.get_many([memory_id]).get(memory_id)
        if found is None or not scope.contains(found.scope):
            raise NotFound(memory_id)
        return found

    def get_all(
        self,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        filters: dict[str, Any] | None = None,
        limit: int = 100,
        cursor: str | None = None,
        include_inactive: bool = False,
        include_superseded: bool = False,
    ) -> Page:
        scope = self._scope(user_id, agent_id, session_id)
        check_bounds("get_all", limit=limit)
        flt = parse_filter(filters)
        if include_superseded and not include_inactive:
            not_archived = Cond("status", "ne", MemoryStatus.ARCHIVED.value, column=True)
            flt = not_archived if flt is None else And((flt, not_archived))
            include_inactive = True
        return self.store.list_page(
            scope, flt, limit=limit, cursor=cursor, include_inactive=include_inactive
        )

    def history(self, memory_id: str) -> list[MemoryEvent]:
        scope = self._scope(required=False)
        found = self.store.events(memory_id) if isinstance(memory_id, str) else []
        events = [e for e in found if scope.contains(e.scope)]
        if not events:
            raise NotFound(str(memory_id))
        return events

    def lineage(
        self,
        memory_id: str,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
    ) -> Lineage:
        memory = self.get(memory_id, user_id=user_id, agent_id=agent_id, session_id=session_id)
        return lineage.lineage_of(self.store, memory)

    def timeline(
        self,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Timeline:
        scope = self._scope(user_id, agent_id, session_id)
        check_bounds("timeline", limit=limit)
        return lineage.timeline_page(self.store, scope, limit=limit, cursor=cursor)

    # ------------------------------------------------------------ the graph
    def entities(self, *, user_id: UserId = None, agent_id: AgentId = None) -> list[Entity]:
        return pages.graph_of(self.store).entities(self._scope(user_id, agent_id))

    def entity(
        self,
        name_or_id: str,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        limit: int = MAX_PAGE,
    ) -> EntityPage:
        check_bounds("entity", limit=limit)
        graph = pages.graph_of(self.store)
        entity = pages.find_entity(graph, name_or_id, self._scope(user_id, agent_id))
        return pages.entity_page(self.store, graph, entity, limit)

    def profile(self, person: str, *, user_id: UserId = None, agent_id: AgentId = None) -> Profile:
        graph = pages.graph_of(self.store)
        entity = pages.find_entity(graph, person, self._scope(user_id, agent_id))
        return pages.profile_of(graph, entity)

    # ------------------------------------------------------------ the LLM layer
    def answer(
        self,
        question: str,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        budget_tokens: int = CONTEXT_BUDGET,
        as_of: AsOf = None,
    ) -> Answer:
        enhancer = self._llm("answer")
        built = self.context(
            question, user_id=user_id, agent_id=agent_id, session_id=session_id,
            budget_tokens=budget_tokens, as_of=as_of,
        )  # fmt: skip
        return enhancer.answer(built)

    def usage(self) -> dict[str, dict[str, Any]]:
        return {} if self.enhancer is None else self.enhancer.usage()

    def jobs(self, *, status: str | None = None, limit: int = 100) -> list[Job]:
        enhancer = self._llm("jobs")
        check_bounds("jobs", limit=limit)
        return enhancer.list_jobs(_job_status(status), self.tenant_id, limit)

    def retry(self, job_ids: Sequence[str] | None = None) -> dict[str, int]:
        enhancer = self._llm("retry")
        ids = None if job_ids is None else [check_id(i, "job_id") for i in job_ids]
        return enhancer.retry(ids, self.tenant_id)

    def run_jobs(self) -> dict[str, int]:
        """Run every pending LLM job now (the worker thread does this in the background).

        Raises:
            CapabilityMissing: no LLM configured.
        """
        return self._llm("run_jobs").run_jobs()


def _job_status(status: str | None) -> JobStatus | None:
    if status is None:
        return None
    try:
        return JobStatus(status)
    except ValueError:
        raise InvalidInput(
            f"status must be one of {', '.join(s.value for s in JobStatus)}", field="status"
        ) from None
