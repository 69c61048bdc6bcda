"""Memories, scopes and the events that change them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "EventKind",
    "MemoryEvent",
    "MemoryKind",
    "MemoryRecord",
    "MemoryStatus",
    "Scope",
    "role_name",
    "valid_at",
]


class MemoryKind(enum.StrEnum):
    """What a memory is: a verbatim turn, or something derived from turns."""

    EPISODE = "episode"  # one turn / observation, verbatim; the evidence everything cites
    FACT = "fact"  # an atomic, self-contained statement derived from episodes
    SUMMARY = "summary"  # a gist of several episodes (episode segment, session, day)
    PROFILE = "profile"  # a bounded slot about a person (name, home, job, ...)
    PROCEDURE = "procedure"  # a reusable way of doing a task, from trajectories
    TRAJECTORY = "trajectory"  # one attempt of an agent at a task: steps and outcome, verbatim
    PASSAGE = "passage"  # a verbatim slice of a long episode, indexed on its own


class MemoryStatus(enum.StrEnum):
    """Lifecycle state. Only ``ACTIVE`` memories are returned by default."""

    ACTIVE = "active"
    SUPERSEDED = "superseded"  # replaced by a newer assertion; kept for "as of" queries
    ARCHIVED = "archived"  # faded out; kept and restorable


class EventKind(enum.StrEnum):
    """Every change to a memory is recorded as one of these."""

    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"
    SUPERSEDE = "supersede"
    MERGE = "merge"
    ARCHIVE = "archive"
    RESTORE = "restore"


@dataclass(frozen=True, slots=True)
class Scope:
    """The namespace a memory lives in. A search never leaves the scope it names.

    A memory is stored with every key that was given when it was added; a query
    matches memories whose keys equal every key the query names.

    ``tenant_id`` is the outermost namespace: a deployment serving several
    customers sets it on every scope (see :meth:`Memory.for_tenant`), so no
    query of one tenant can name a memory of another. It does not count as a
    scope key on its own (a query still names a user, agent or session).
    """

    user_id: str | None = None
    agent_id: str | None = None
    session_id: str | None = None
    tenant_id: str | None = None

    def is_empty(self) -> bool:
        """Whether no scope key is set."""
        return self.user_id is None and self.agent_id is None and self.session_id is None

    def as_dict(self) -> dict[str, str]:
        """The keys that are set (tenant included), e.g. ``{"user_id": "u1"}``."""
        return {
            name: value
            for name, value in (
                ("user_id", self.user_id),
                ("agent_id", self.agent_id),
                ("session_id", self.session_id),
                ("tenant_id", self.tenant_id),
            )
            if value is not None
        }

    def contains(self, other: Scope) -> bool:
        """Whether a memory stored under ``other`` is visible from this scope."""
        return all(getattr(other, key) == value for key, value in self.as_dict().items())


@dataclass(frozen=True, slots=True)
class MemoryRecord:
    """One memory, with its bi-temporal fields and provenance.

    Attributes:
        id: stable identifier.
        kind: what the memory is.
        text: the content; for episodes, the turn verbatim.
        scope: user / agent / session it belongs to.
        role: chat role of an episode (user, assistant, system, tool).
        speaker: who said it (the message ``name``), when known.
        metadata: free-form JSON-compatible data given by the caller.
        occurred_at: when it was said or happened (event time).
        valid_from: when it became true in the world.
        valid_to: when it stopped being true in the world (``None``: still true).
        recorded_at: when the system learned it (ingest time).
        expired_at: when the system stopped believing it (``None``: current).
        status: lifecycle state.
        version: 1 for a new memory, incremented by each update.
        seq: position of an episode in its session's log (for temporal contiguity).
        sources: ids of the episodes this memory derives from (empty for episodes).
        superseded_by: id of the memory that replaced it, if any.
        importance: 0..1, raises retention; 0.5 when unknown.
        confidence: 0..1, how sure the extractor was; 1.0 for verbatim episodes.
        reading: an episode's text with pronouns resolved and dates made absolute
            (derived, indexed beside the verbatim text); ``None`` when not analysed.
        strength: how slowly it fades, in days (``None``: the initial strength for
            its importance; see :mod:`engramdb.model.retention`).
        last_used_at: when it was last returned in a context or marked useful.
        expires_at: when it expires (a TTL); expired memories are not recalled and
            are deleted by ``Memory.fade``.
    """

    id: str
    kind: MemoryKind
    text: str
    scope: Scope
    occurred_at: datetime
    recorded_at: datetime
    role: str | None = None
    speaker: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, hash=False)
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    expired_at: datetime | None = None
    status: MemoryStatus = MemoryStatus.ACTIVE
    version: int = 1
    seq: int | None = None
    sources: tuple[str, ...] = ()
    superseded_by: str | None = None
    importance: float = 0.5
    confidence: float = 1.0
    reading: str | None = None
    strength: float | None = None
    last_used_at: datetime | None = None
    expires_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict of every field (times as ISO 8601 strings)."""
        from engramdb.model.codec import memory_to_dict

        return memory_to_dict(self)


def valid_at(memory: MemoryRecord, at: datetime) -> bool:
    """Whether ``memory`` was true at ``at`` (what ``search(as_of=at)`` considers).

    Active and superseded memories count while their validity interval
    ``[valid_from, valid_to)`` contains ``at``; archived ones never do.
    """
    if memory.status is MemoryStatus.ARCHIVED:
        return False
    start = memory.valid_from or memory.occurred_at
    return start <= at and (memory.valid_to is None or at < memory.valid_to)


@dataclass(frozen=True, slots=True)
class MemoryEvent:
    """One recorded change to a memory.

    ``before`` and ``after`` hold the memory's fields around the change. When a
    memory is deleted its earlier events keep their kind, actor and time but lose
    their content: deletion is real, and the audit trail stays.
    """

    id: int
    memory_id: str
    kind: EventKind
    actor: str
    at: datetime
    scope: Scope
    before: dict[str, Any] | None = field(default=None, hash=False)
    after: dict[str, Any] | None = field(default=None, hash=False)


ROLE_NAMES = {"user": "the user", "assistant": "the assistant"}


def role_name(role: str | None, scope: Scope) -> str | None:
    """Who speaks in ``role`` when a message gives no name.

    The scope's user (or agent) id when it reads as a name ("ana"), else "the user"
    (or "the assistant"): an id such as "u_8f3a" names no one.
    """
    scope_id = {"user": scope.user_id, "assistant": scope.agent_id}.get(role or "")
    if scope_id and scope_id.isalpha():
        return scope_id
    return ROLE_NAMES.get(role or "")
