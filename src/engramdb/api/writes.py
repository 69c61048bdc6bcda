"""The operations that store and correct memories."""

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
    SessionId,
    Sync,
    Task,
    Time,
    UserId,
)
from engramdb.model.validation import MAX_TEXT_CHARS
from engramdb.types import UNSET, Unset

if TYPE_CHECKING:
    from engramdb.model.memory import MemoryRecord


class MemoryWrites(Protocol):
    """Remembering and correcting."""

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
        """Remember messages verbatim, as episodes. Durable when it returns.

        With an LLM, an extraction job is queued in the same transaction and runs in
        the background (``sync=True``: before this returns); the LLM-free
        understanding has already indexed the turns either way.

        Args:
            messages: a list of ``{"role", "content", "name"?, "timestamp"?, "metadata"?}``
                dicts, or one string (a user message).
            user_id: scope: the user the memories belong to.
            agent_id: scope: the agent.
            session_id: scope: the session (run / conversation).
            timestamp: when the messages were said (timezone-aware); default now.
            metadata: free-form JSON data kept on every episode.
            importance: 0..1 (default 0.5); important memories fade more slowly.
            expires_at: a TTL: after this time the messages (and what is drawn from
                them) are no longer recalled, and :meth:`fade` deletes them.
            sync: with an LLM, run its extraction before returning.
            idempotency_key: a client-chosen key (kept 7 days): a retry with the same key
                returns the original episodes and stores nothing new.

        An exact repeat of a stored message (same scope, role, speaker, text, metadata and
        given timestamp) is not stored again: the stored episode is returned for it.

        Returns:
            The stored episodes, in order.

        Raises:
            InvalidInput: bad messages, scope, timestamp or metadata; nothing is stored.
            Conflict: ``idempotency_key`` was used for a different request.
        """
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
        """Several :meth:`add` calls in one: faster for bulk import, all or nothing.

        Args:
            items: dicts with the keyword arguments of :meth:`add`
                (``messages``, ``user_id``, ``agent_id``, ``session_id``, ``timestamp``,
                ``metadata``).
            sync: with an LLM, run the extraction of every item before returning.
            idempotency_key: as in :meth:`add`, for the whole batch.

        Returns:
            The stored episodes of each item.

        Raises:
            InvalidInput: any item is invalid (the message names it); nothing is stored.
        """
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
        """Write a new version of a memory; the previous one stays in :meth:`history`.

        A turn whose text changes is understood again (its old facts go); with an LLM,
        a new extraction job is queued for it.

        Args:
            memory_id: the memory to change.
            text: new text (re-embedded and re-indexed).
            metadata: new metadata, replacing the old.

        Raises:
            NotFound: no such memory.
            InvalidInput: nothing to change, or bad values.
        """
        raise _declaration_only()

    @operation(
        Route("DELETE", "/v1/memories/{memory_id}", envelope="deleted", response="DeletedOut"),
        cli="delete",
    )
    def delete(self, memory_id: MemoryId) -> list[str]:
        """Delete a memory and every memory derived from it; returns the deleted ids.

        The content is erased (also from earlier history events); a ``delete`` event
        without content remains.

        Raises:
            NotFound: no such memory.
        """
        raise _declaration_only()

    @operation(
        Route("DELETE", "/v1/memories", envelope="deleted", response="DeletedCountOut"),
        cli="delete-all",
    )
    def delete_all(
        self, *, user_id: UserId = None, agent_id: AgentId = None, session_id: SessionId = None
    ) -> int:
        """Delete every memory in a scope (however many); returns how many were deleted.

        Raises:
            InvalidInput: no scope given (deleting everything needs an explicit scope).
        """
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
        """Remember an agent's attempt at a task, and learn the procedure for its kind of task.

        The attempt is stored verbatim (a ``trajectory`` memory). Attempts at tasks
        of the same kind are grouped into one ``procedure`` memory (derived from
        them): the steps that succeeded most often, the success rate, and the
        pitfalls of the failed attempts. See :meth:`procedures`.

        Args:
            task: what the agent was asked to do.
            steps: the actions taken, as strings or ``{"action", "error"?}`` dicts.
            outcome: ``"success"`` or ``"failure"``.
            user_id: scope (a user and / or an agent is required).
            agent_id: scope.
            session_id: scope.
            timestamp: when it happened (default now).
            metadata: free-form JSON data kept with the trajectory.

        Returns:
            The stored trajectory.

        Raises:
            InvalidInput: bad task, steps, outcome or scope; nothing is stored.
        """
        raise _declaration_only()
