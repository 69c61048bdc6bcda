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
from engramdb.model.validation import MAX_ID_CHARS, MAX_TEXT_CHARS
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
        """Erase a memory, or a whole scope, for good; returns how many memories went.

        Like :meth:`delete` / :meth:`delete_all` (everything derived goes too, and
        a ``delete`` event without content remains), and then the store is
        compacted so that no trace of the content is left in its files: freed
        pages are zeroed, the text index is rewritten, the vector index rebuilt.

        Raises:
            NotFound: no such memory (in this tenant).
            InvalidInput: neither an id nor a scope, or both.
        """
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
        """Tell the store which recalled memories were used; returns how many were reinforced.

        A useful memory's strength grows and its forgetting clock restarts, so it
        ranks a little higher and fades later. ``useful=False`` changes nothing
        (an unused memory fades on its own).

        Raises:
            NotFound: an id that does not exist (in this tenant).
        """
        raise _declaration_only()

    @operation(
        Route("POST", "/v1/memories/{memory_id}/archive", response="MemoryOut"), cli="archive"
    )
    def archive(self, memory_id: MemoryId) -> MemoryRecord:
        """Archive a memory and what is drawn from it: kept, restorable, no longer recalled.

        Raises:
            NotFound: no such memory (in this tenant).
        """
        raise _declaration_only()

    @operation(Route("POST", "/v1/memories/{memory_id}/restore", response="MemoryOut"))
    def restore(self, memory_id: MemoryId) -> MemoryRecord:
        """Bring an archived memory (and what is drawn from it) back; its clock restarts.

        Raises:
            NotFound: no such memory (in this tenant).
        """
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
        """Archive the memories of a scope that have faded, and delete the expired ones.

        A memory has faded when its retention ``exp(-days since last use / strength)``
        is below ``threshold``. Archived memories stay restorable; expired ones
        (past their ``expires_at``) are deleted like :meth:`delete`.

        Returns:
            ``{"archived": n, "expired": m}``.
        """
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
        """Organise what is stored: episode and session gists, merged facts, fading.

        Each session's turns are cut into episodes at topic shifts and time gaps; each
        episode gets an extractive gist (a ``summary`` memory citing its turns, linked
        to earlier episodes that share its entities), and a session of several
        episodes a roll-up gist. Search uses gists to reach the turns they cover.
        Facts saying the same thing are merged into the earliest (union of sources;
        the duplicate archived with ``superseded_by``). Faded memories are archived,
        expired ones deleted (see :meth:`fade`).

        Idempotent and resumable: work is checkpointed per session, so a second run
        changes nothing and a run cut short continues where it stopped. With no
        scope, the whole store (this view's tenant) is consolidated.

        Returns:
            Counts: ``sessions``, ``rebuilt_sessions``, ``gists``, ``replaced_gists``,
            ``merged_facts``, ``archived``, ``expired``.
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
