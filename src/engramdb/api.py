"""engramdb's public operations, declared once: ``MemoryAPI``.

Each method of :class:`MemoryAPI` is one operation: its parameters, defaults, bounds
and docs (in ``Annotated`` markers), the object it returns, and where each surface
serves it (:func:`operation`). :class:`~engramdb.Memory` implements the protocol;
:class:`~engramdb.AsyncMemory` mirrors it as coroutines; the REST routes, the
:class:`~engramdb.RemoteMemory` client, and the MCP tools and CLI commands of new
operations are built from it; the hand-written MCP tools and CLI commands read
their defaults and bounds from it. ``tests/test_surface.py`` fails when a surface
differs from what is declared here.

Nothing here imports a web framework or a driver: the markers are plain values
that each surface translates (pydantic ``Field``, click ``IntRange``, ...).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING, Annotated, Any, Literal, Protocol, TypeVar

from engramdb.pipeline.normalize import MAX_ID_CHARS, MAX_TEXT_CHARS
from engramdb.types import UNSET, Unset

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

__all__ = [
    "CONTEXT_BUDGET",
    "LOCAL_ONLY",
    "OPERATIONS",
    "Doc",
    "Length",
    "Local",
    "MemoryAPI",
    "Operation",
    "Param",
    "Range",
    "Route",
    "Wire",
    "check_bounds",
    "operation",
]

CONTEXT_BUDGET = 1500  # tokens of a context (and of the answer's context) by default
MAX_K = 1000  # hits per search
MAX_PAGE = 1000  # memories per page of a listing
MAX_JOBS = 10_000  # jobs per listing, job ids per retry
MAX_BATCH = 100  # items per add_batch
MAX_MESSAGES_PER_ADD = 1000  # messages per add (also the REST body's bound)


# ------------------------------------------------------------------ markers
@dataclass(frozen=True, slots=True)
class Range:
    """Numeric bounds of a parameter (inclusive ``ge`` / ``le``, exclusive ``gt`` / ``lt``)."""

    ge: float | None = None
    le: float | None = None
    gt: float | None = None
    lt: float | None = None

    def admits(self, value: float) -> bool:
        """Whether ``value`` lies within the bounds."""
        return not (
            (self.ge is not None and value < self.ge)
            or (self.le is not None and value > self.le)
            or (self.gt is not None and value <= self.gt)
            or (self.lt is not None and value >= self.lt)
        )

    def describe(self) -> str:
        """The bounds in words, for error messages."""
        low = f"from {self.ge:g}" if self.ge is not None else f"above {self.gt:g}"
        high = f"to {self.le:g}" if self.le is not None else f"below {self.lt:g}"
        return f"{low} {high}"


@dataclass(frozen=True, slots=True)
class Length:
    """Length bounds of a string or a list."""

    min: int | None = None
    max: int | None = None


@dataclass(frozen=True, slots=True)
class Doc:
    """What a parameter means (the REST, MCP and CLI help text)."""

    text: str


@dataclass(frozen=True, slots=True)
class Local:
    """A parameter that only makes sense in the process that holds the store."""

    why: str


@dataclass(frozen=True, slots=True)
class Wire:
    """The name of the wire type a surface uses for a parameter Python types loosely."""

    name: str


@dataclass(frozen=True, slots=True)
class Route:
    """Where REST serves an operation, and how its result is wrapped.

    ``envelope`` names the key the result sits under (``{"hits": [...]}``); ``response``
    names the response schema; ``idempotent`` accepts an ``Idempotency-Key`` header;
    ``streaming`` routes (export, import) are written by hand around a stream.
    """

    method: Literal["GET", "POST", "PATCH", "DELETE"]
    path: str
    status: int = 200
    envelope: str | None = None
    response: str | None = None
    request: str | None = None
    tags: tuple[str, ...] = ("memories",)
    idempotent: bool = False
    streaming: bool = False


@dataclass(frozen=True, slots=True)
class Param:
    """One declared parameter of an operation."""

    name: str
    annotation: Any  # the type without its markers
    default: Any  # inspect.Parameter.empty when required
    positional: bool
    range: Range | None
    length: Length | None
    doc: str
    local: Local | None
    wire: str | None

    @property
    def required(self) -> bool:
        """Whether callers must give it."""
        return self.default is inspect.Parameter.empty


@dataclass(frozen=True, slots=True)
class Operation:
    """One public operation: its name, parameters, result type and surfaces."""

    name: str
    doc: str
    params: tuple[Param, ...]
    returns: Any
    route: Route | None
    cli: str | None
    mcp: str | None

    def param(self, name: str) -> Param:
        """The parameter called ``name``."""
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(f"{self.name} has no parameter {name!r}")

    @property
    def remote_params(self) -> tuple[Param, ...]:
        """The parameters other processes can send."""
        return tuple(p for p in self.params if p.local is None)


F = TypeVar("F", bound=Callable[..., Any])


def operation(
    route: Route | None = None, *, cli: str | None = None, mcp: str | None = None
) -> Callable[[F], F]:
    """Declare where a :class:`MemoryAPI` method is served."""

    def mark(method: F) -> F:
        method.__engramdb_surfaces__ = (route, cli, mcp)  # type: ignore[attr-defined]
        return method

    return mark


# --------------------------------------------------------- parameter types
def _id(doc: str) -> Any:
    return Annotated[str | None, Length(1, MAX_ID_CHARS), Doc(doc)]


UserId = _id("The user the memories belong to.")
AgentId = _id("The agent the memories belong to.")
SessionId = _id("The session (run / conversation).")
MemoryId = Annotated[str, Length(1, MAX_ID_CHARS), Doc("A memory's id.")]
Text = Annotated[str, Length(1, MAX_TEXT_CHARS)]
Query = Annotated[Text, Doc("What to look for, as a question or keywords.")]
Metadata = Annotated[dict[str, Any] | None, Doc("Free-form JSON data kept with the memory.")]
Filters = Annotated[dict[str, Any] | None, Doc("Metadata filter, e.g. {'topic': 'work'}.")]
Time = datetime | str
AsOf = Annotated[Time | None, Doc("Recall what was true at this time (ISO 8601 with offset).")]
Budget = Annotated[int, Range(ge=50, le=100_000), Doc("Token budget of the context.")]
Task = Annotated[Text, Doc("The task, in words.")]
Owner = Annotated[str, Length(1, MAX_TEXT_CHARS)]
Progress = Annotated[Callable[..., None] | None, Local("a callback runs in the store's process")]
Sync = Annotated[bool, Local("waits for this process's LLM worker"), Doc("Run the LLM first.")]
IdempotencyKey = Annotated[
    str | None,
    Length(1, MAX_ID_CHARS),
    Doc("A key of the client's choosing: a retry with it returns the first result."),
]
Messages = Annotated[Any, Wire("Messages"), Doc("Chat messages, or one string.")]


def _declaration_only() -> TypeError:
    # a body that is not "..." keeps type checkers from taking the operations for
    # abstract methods in the classes that subclass the protocol (RemoteMemory)
    return TypeError("MemoryAPI declares the operations: call them on Memory or RemoteMemory")


class MemoryAPI(Protocol):
    """What every engramdb surface offers: the operations, their parameters and results."""

    # ------------------------------------------------------------ writes
    @operation(
        Route("POST", "/v1/memories", 201, "memories", "MemoriesOut", "AddIn", idempotent=True),
        cli="add",
        mcp="remember",
    )
    def add(
        self,
        messages: Messages,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        timestamp: Annotated[Time | None, Doc("When it was said (default: now).")] = None,
        metadata: Metadata = None,
        importance: Annotated[
            float | None, Range(ge=0, le=1), Doc("0..1 (default 0.5): important memories last.")
        ] = None,
        expires_at: Annotated[Time | None, Doc("A TTL: forgotten after this time.")] = None,
        sync: Sync = False,
        idempotency_key: IdempotencyKey = None,
    ) -> list[MemoryRecord]:
        """Remember messages verbatim (and what they say: facts, entities, dates)."""
        raise _declaration_only()

    @operation(
        Route(
            "POST", "/v1/memories/batch", 201, "results", "BatchOut", "BatchIn", idempotent=True
        )
    )
    def add_batch(
        self,
        items: Annotated[
            Iterable[Mapping[str, Any]],
            Length(1, MAX_BATCH),
            Wire("AddItems"),
            Doc("The arguments of each add."),
        ],
        *,
        sync: Sync = False,
        idempotency_key: IdempotencyKey = None,
    ) -> list[list[MemoryRecord]]:
        """Several adds at once, all or nothing."""
        raise _declaration_only()

    @operation(
        Route("PATCH", "/v1/memories/{memory_id}", response="MemoryOut", request="UpdateIn"),
        cli="update",
        mcp="update",
    )
    def update(
        self,
        memory_id: MemoryId,
        *,
        text: Annotated[str | Unset, Length(1, MAX_TEXT_CHARS), Doc("New text.")] = UNSET,
        metadata: Annotated[
            dict[str, Any] | Unset, Doc("New metadata, replacing the old.")
        ] = UNSET,
    ) -> MemoryRecord:
        """Write a new version of a memory; the old one stays in its history."""
        raise _declaration_only()

    @operation(
        Route("DELETE", "/v1/memories/{memory_id}", envelope="deleted", response="DeletedOut"),
        cli="delete",
    )
    def delete(self, memory_id: MemoryId) -> list[str]:
        """Delete a memory and everything derived from it."""
        raise _declaration_only()

    @operation(
        Route("DELETE", "/v1/memories", envelope="deleted", response="DeletedCountOut"),
        cli="delete-all",
    )
    def delete_all(
        self, *, user_id: UserId = None, agent_id: AgentId = None, session_id: SessionId = None
    ) -> int:
        """Delete every memory of a scope (a scope is required)."""
        raise _declaration_only()

    @operation(
        Route(
            "POST", "/v1/forget", envelope="forgotten", response="ForgottenOut",
            request="ForgetIn", tags=("forgetting",),
        ),
        cli="forget",
        mcp="forget",
    )  # fmt: skip
    def forget(
        self,
        memory_id: Annotated[str | None, Length(1, MAX_ID_CHARS), Doc("A memory's id.")] = None,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
    ) -> int:
        """Erase one memory or a whole scope for good, leaving no trace in the store's files."""
        raise _declaration_only()

    @operation(
        Route(
            "POST", "/v1/feedback", envelope="reinforced", response="ReinforcedOut",
            request="FeedbackIn", tags=("forgetting",),
        )
    )  # fmt: skip
    def feedback(
        self,
        memory_ids: Annotated[
            Iterable[Annotated[str, Length(1, MAX_ID_CHARS)]],
            Length(1, 1000),
            Doc("The recalled memories that were used."),
        ],
        *,
        useful: Annotated[bool, Doc("Whether they helped.")] = True,
    ) -> int:
        """Tell which recalled memories were used: they grow stronger and fade later."""
        raise _declaration_only()

    @operation(
        Route("POST", "/v1/memories/{memory_id}/archive", response="MemoryOut"), cli="archive"
    )
    def archive(self, memory_id: MemoryId) -> MemoryRecord:
        """Archive a memory (and what is drawn from it): kept and restorable, not recalled."""
        raise _declaration_only()

    @operation(Route("POST", "/v1/memories/{memory_id}/restore", response="MemoryOut"))
    def restore(self, memory_id: MemoryId) -> MemoryRecord:
        """Bring an archived memory back."""
        raise _declaration_only()

    @operation(
        Route(
            "POST", "/v1/fade", response="FadedOut", request="FadeIn", tags=("forgetting",)
        ),
        cli="fade",
    )  # fmt: skip
    def fade(
        self,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        threshold: Annotated[
            float, Range(gt=0, lt=1), Doc("Retention below which a memory is archived.")
        ] = 0.05,
    ) -> dict[str, int]:
        """Archive the scope's faded memories and delete its expired ones."""
        raise _declaration_only()

    @operation(
        Route(
            "POST", "/v1/consolidate", response="ConsolidatedOut", request="ConsolidateIn",
            tags=("forgetting",),
        ),
        cli="consolidate",
    )  # fmt: skip
    def consolidate(
        self,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        progress: Progress = None,
    ) -> dict[str, int]:
        """Consolidate now: episode and session gists, merged facts, fading (idempotent)."""
        raise _declaration_only()

    @operation(
        Route(
            "POST", "/v1/trajectories", 201, response="MemoryOut", request="TrajectoryIn",
            tags=("procedures",),
        ),
        mcp="record_attempt",
    )  # fmt: skip
    def add_trajectory(
        self,
        task: Task,
        steps: Annotated[
            Sequence[str | Mapping[str, Any]],
            Length(1, 200),
            Wire("Steps"),
            Doc("The actions taken, in order (each a string or {action, error})."),
        ],
        outcome: Annotated[Literal["success", "failure"], Doc("How it went.")],
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        timestamp: Annotated[Time | None, Doc("When it happened (default: now).")] = None,
        metadata: Metadata = None,
    ) -> MemoryRecord:
        """Remember an agent's attempt at a task; the procedure for its kind of task is updated."""
        raise _declaration_only()

    # ------------------------------------------------------------- reads
    @operation(
        Route("GET", "/v1/procedures", envelope="procedures", response="ProceduresOut",
              tags=("procedures",)),
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


# What ``Memory`` offers that no other process can reach, and why (the surface test
# checks that ``Memory``'s public methods are exactly the operations and these).
LOCAL_ONLY: dict[str, str] = {
    "open": "opens a store file or database in this process",
    "for_tenant": "a server fixes the tenant by the caller's API key",
    "keys": "API keys are managed on the store (CLI) or by the admin REST routes",
    "reindex": "re-embeds the whole store: run it where the store is",
    "run_jobs": "drives this process's LLM worker",
    "load_models": "loads this process's models (a server does it at start-up)",
    "stats": "counts the whole store, every tenant's memories: for its operator",
    "close": "releases this process's store",
}


def _declared(method: Callable[..., Any]) -> Operation:
    route, cli, mcp = method.__engramdb_surfaces__  # type: ignore[attr-defined]
    hints = typing.get_type_hints(method, include_extras=True, localns=_TYPES)
    params = []
    for param in list(inspect.signature(method).parameters.values())[1:]:
        params.append(_param(param, hints[param.name]))
    doc = inspect.getdoc(method) or ""
    return Operation(method.__name__, doc, tuple(params), hints["return"], route, cli, mcp)


def _param(param: inspect.Parameter, hint: Any) -> Param:
    markers: dict[type, Any] = {}
    while typing.get_origin(hint) is Annotated:
        for marker in hint.__metadata__:
            markers.setdefault(type(marker), marker)
        hint = hint.__origin__
    return Param(
        name=param.name,
        annotation=hint,
        default=param.default,
        positional=param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD,
        range=markers.get(Range),
        length=markers.get(Length),
        doc=markers[Doc].text if Doc in markers else "",
        local=markers.get(Local),
        wire=markers[Wire].name if Wire in markers else None,
    )


def _result_types() -> dict[str, Any]:
    from pathlib import Path

    from engramdb.answering import Answer
    from engramdb.model.graph import Entity, EntityPage
    from engramdb.model.jobs import Job
    from engramdb.model.memory import MemoryEvent, MemoryRecord
    from engramdb.model.procedure import Procedure
    from engramdb.model.query import Hit, Page
    from engramdb.pipeline.understand.profile import Profile
    from engramdb.retrieval.context import Context

    return {
        t.__name__: t
        for t in (Path, Answer, Entity, EntityPage, Job, MemoryEvent, MemoryRecord)
        + (Procedure, Hit, Page, Profile, Context)
    }


_TYPES = _result_types()

OPERATIONS: dict[str, Operation] = {
    name: _declared(method)
    for name, method in vars(MemoryAPI).items()
    if callable(method) and hasattr(method, "__engramdb_surfaces__")
}


def check_bounds(operation_name: str, **values: Any) -> None:
    """Check numbers against their declared bounds (an :class:`InvalidInput` names the field).

    Only what is declared with a :class:`Range` is checked; ``None`` passes (absent).
    """
    from engramdb.errors import InvalidInput

    declared = OPERATIONS[operation_name]
    for name, value in values.items():
        bounds = declared.param(name).range
        if value is None or bounds is None:
            continue
        annotation = declared.param(name).annotation
        is_int = int in (typing.get_args(annotation) or (annotation,))
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or (is_int and not isinstance(value, int)) or not bounds.admits(value):
            kind = "an integer" if is_int else "a number"
            raise InvalidInput(f"{name} must be {kind} {bounds.describe()}", field=name)
