"""The operations that change what is remembered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol

from engramdb.api.declare import Doc, Length, Range, Route, Wire, operation
from engramdb.api.declare import declaration_only as _declaration_only
from engramdb.api.params import (
    MAX_BATCH,
    AgentId,
    IdempotencyKey,
    MemoryId,
    Messages,
    Metadata,
    Progress,
    SessionId,
    Sync,
    Task,
    Time,
    UserId,
)
from engramdb.model.retention import FADED
from engramdb.pipeline.normalize import MAX_ID_CHARS, MAX_TEXT_CHARS
from engramdb.types import UNSET, Unset

if TYPE_CHECKING:
    from engramdb.model.memory import MemoryRecord


class MemoryWrites(Protocol):
    """Remembering, correcting and forgetting."""

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
        Route("POST", "/v1/memories/batch", 201, "results", "BatchOut", "BatchIn", idempotent=True)
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
        ),
        cli="feedback",
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
        ] = FADED,
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
