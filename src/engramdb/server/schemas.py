"""Request and response bodies of the REST API's operations (they are its OpenAPI schema).

The admin, status and error bodies are in :mod:`engramdb.server.service_schemas`.

Requests are checked here for shape and size; the engine then checks meaning
(e.g. whitespace-only text) and its :class:`InvalidInput` becomes a 422 as well.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from engramdb.api_schema import AddIn, KeyIn, MessageIn, StepIn, request_model, wire_type

__all__ = [
    "AddIn",
    "BatchOut",
    "ContextOut",
    "DeletedCountOut",
    "DeletedOut",
    "EntitiesOut",
    "EntityPageOut",
    "EventsOut",
    "FadedOut",
    "ForgottenOut",
    "HitsOut",
    "ImportedOut",
    "KeyIn",
    "LineageOut",
    "MemoriesOut",
    "MemoryOut",
    "MessageIn",
    "PageOut",
    "ProceduresOut",
    "ProfileOut",
    "ReinforcedOut",
    "StepIn",
    "TimelineOut",
    "request_model",
    "wire_type",
]

Metadata = dict[str, Any]


# ------------------------------------------------------------------ responses
class MemoryOut(BaseModel):
    """A memory with its bi-temporal fields and provenance."""

    id: str
    kind: str
    text: str
    user_id: str | None
    agent_id: str | None
    session_id: str | None
    tenant_id: str | None
    role: str | None
    speaker: str | None
    metadata: Metadata
    status: str
    version: int
    seq: int | None
    sources: list[str]
    superseded_by: str | None
    importance: float
    confidence: float
    reading: str | None
    occurred_at: datetime
    recorded_at: datetime
    valid_from: datetime | None
    valid_to: datetime | None
    expired_at: datetime | None
    strength: float | None
    last_used_at: datetime | None
    expires_at: datetime | None


class MemoriesOut(BaseModel):
    """Memories that were stored."""

    memories: list[MemoryOut]


class BatchOut(BaseModel):
    """The memories stored for each item of a batch, in order."""

    results: list[list[MemoryOut]]


class PageOut(BaseModel):
    """One page of a listing; pass ``next_cursor`` back as ``cursor`` for the next."""

    memories: list[MemoryOut]
    next_cursor: str | None


class LineageOut(BaseModel):
    """A memory, where it came from, what came of it, and what it replaced or lost to."""

    memory: MemoryOut
    sources: list[MemoryOut]
    derived: list[MemoryOut]
    replaced: list[MemoryOut]
    replaced_by: list[MemoryOut]


class TimelineOut(BaseModel):
    """A page of turns in time order with what was derived from them."""

    turns: list[MemoryOut]
    derived: list[MemoryOut]
    next_cursor: str | None


class SignalOut(BaseModel):
    """One reason a memory was recalled."""

    name: str
    rank: int
    score: float
    via: str | None


class HitOut(BaseModel):
    """A recalled memory, why it was recalled, and the turns it comes from."""

    memory: MemoryOut
    score: float
    why: list[SignalOut]
    explanation: str
    sources: list[MemoryOut]


class HitsOut(BaseModel):
    """Search results, best first."""

    hits: list[HitOut]


class EventOut(BaseModel):
    """One change of a memory."""

    id: int
    memory_id: str
    kind: str
    actor: str
    at: datetime
    user_id: str | None
    agent_id: str | None
    session_id: str | None
    tenant_id: str | None
    before: Metadata | None
    after: Metadata | None


class EventsOut(BaseModel):
    """The history of a memory, oldest first."""

    events: list[EventOut]


class EntityOut(BaseModel):
    """A person, place, organisation, pet, event or work."""

    id: str
    name: str
    kind: str
    key: str
    aliases: list[str]
    created_at: datetime
    user_id: str | None
    agent_id: str | None
    session_id: str | None
    tenant_id: str | None


class EntitiesOut(BaseModel):
    """Entities of a user / agent."""

    entities: list[EntityOut]


class RelationOut(BaseModel):
    """A subject-predicate-object edge, backed by a fact memory."""

    id: str
    subject_id: str
    predicate: str
    object_id: str | None
    object_value: str | None
    fact_id: str
    valid_from: datetime | None
    valid_to: datetime | None
    user_id: str | None
    agent_id: str | None
    session_id: str | None
    tenant_id: str | None


class EntityPageOut(BaseModel):
    """Everything known about one entity."""

    entity: EntityOut
    mentions: list[MemoryOut]
    facts: list[MemoryOut]
    relations: list[RelationOut]
    mention_count: int
    relation_count: int


class ProfileValueOut(BaseModel):
    """One slot value and the fact it comes from."""

    value: str
    fact_id: str
    predicate: str


class ProfileOut(BaseModel):
    """What is known now about a person, slot by slot."""

    person: EntityOut
    slots: dict[str, list[ProfileValueOut]]
    summary: dict[str, Any]


class ContextItemOut(BaseModel):
    """A memory placed in the context: its line and the turns it stands for."""

    line: str
    cites: list[str]
    memory: MemoryOut


class ContextOut(BaseModel):
    """A packed context: ``text`` to prompt with, and its parts as data."""

    query: str
    budget_tokens: int
    tokens: int
    text: str
    profile: list[str]
    facts: list[ContextItemOut]
    episodes: list[ContextItemOut]
    recent: list[ContextItemOut]
    sources: list[str]


class ProcedureOut(BaseModel):
    """The best-known way of doing a kind of task, and what to avoid."""

    id: str
    pattern: str
    example: str
    steps: list[str]
    successes: int
    failures: int
    success_rate: float
    pitfalls: list[str]
    sources: list[str]
    similarity: float


class ProceduresOut(BaseModel):
    """Procedures for a task, most alike first."""

    procedures: list[ProcedureOut]


class DeletedOut(BaseModel):
    """Ids of the deleted memory and of the memories derived from it."""

    deleted: list[str]


class DeletedCountOut(BaseModel):
    """How many memories were deleted."""

    deleted: int


class ForgottenOut(BaseModel):
    """How many memories were erased."""

    forgotten: int


class ReinforcedOut(BaseModel):
    """How many memories were reinforced."""

    reinforced: int


class FadedOut(BaseModel):
    """How many memories were archived and how many expired ones deleted."""

    archived: int
    expired: int


class AnswerOut(BaseModel):
    """The model's answer, the memories it cited, the turns they stand for, the context."""

    question: str
    answer: str
    citations: list[str]
    sources: list[str]
    prompt: str
    model: str
    context: ContextOut


class JobOut(BaseModel):
    """One background LLM job."""

    id: str
    kind: str
    scope: dict[str, str | None]
    payload: dict[str, Any]
    status: Literal["pending", "done", "failed"]
    attempts: int
    error: str | None
    created_at: str
    updated_at: str


class JobsOut(BaseModel):
    """The tenant's LLM jobs, oldest first."""

    jobs: list[JobOut]


class RetriedOut(BaseModel):
    """Failed jobs requeued, and how the pending ones ran."""

    requeued: int
    done: int
    failed: int


class ConsolidatedOut(BaseModel):
    """What a consolidation run did."""

    sessions: int
    rebuilt_sessions: int
    gists: int
    replaced_gists: int
    merged_facts: int
    archived: int
    expired: int


class ConsolidationStatusOut(BaseModel):
    """The background consolidation: its schedule and its last run."""

    enabled: bool
    interval_seconds: float | None = None
    running: bool = False
    runs: int = 0
    last_report: ConsolidatedOut | None = None
    last_error: str | None = None
    seconds_since_last_run: float | None = None


class ImportedOut(BaseModel):
    """How many memories were imported."""

    imported: int
