"""The operations that forget, reinforce and consolidate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Protocol

from engramdb.api.declare import Doc, Length, Range, Route, operation
from engramdb.api.declare import declaration_only as _declaration_only
from engramdb.api.params import (
    AgentId,
    MemoryId,
    Progress,
    SessionId,
    UserId,
)
from engramdb.model.retention import FADED
from engramdb.model.validation import MAX_ID_CHARS

if TYPE_CHECKING:
    from engramdb.model.memory import MemoryRecord


class MemoryForgetting(Protocol):
    """Forgetting, on purpose and over time, and consolidation."""

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
