"""Memory endpoints: each parses its input, calls one ``Memory`` method, serialises the result."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from engramdb.errors import InvalidInput
from engramdb.model.codec import memory_to_dict
from engramdb.pipeline.normalize import MAX_ID_CHARS
from engramdb.server.auth import TenantMemory
from engramdb.server.errors import ERROR_RESPONSES
from engramdb.server.schemas import (
    AddIn,
    AnswerIn,
    AnswerOut,
    BatchIn,
    BatchOut,
    ConsolidatedOut,
    ConsolidateIn,
    ContextIn,
    ContextOut,
    DeletedCountOut,
    DeletedOut,
    EntitiesOut,
    EntityPageOut,
    EventsOut,
    FadedOut,
    FadeIn,
    FeedbackIn,
    ForgetIn,
    ForgottenOut,
    HitsOut,
    ImportedOut,
    JobsOut,
    MemoriesOut,
    MemoryOut,
    PageOut,
    ProceduresOut,
    ProfileOut,
    ReinforcedOut,
    RetriedOut,
    RetryIn,
    SearchIn,
    TrajectoryIn,
    UpdateIn,
)
from engramdb.types import UNSET
from engramdb.wire import (
    entity_page_to_dict,
    entity_to_dict,
    event_to_dict,
    hit_to_dict,
    page_to_dict,
    profile_to_dict,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["memories"])

IdQuery = Annotated[str | None, Query(min_length=1, max_length=256)]
NDJSON = "application/x-ndjson"


def _memories(records: Any) -> list[dict[str, Any]]:
    return [memory_to_dict(m) for m in records]


def _filters(raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput(f"filters must be a JSON object: {exc}", field="filters") from exc
    if not isinstance(parsed, dict):
        raise InvalidInput("filters must be a JSON object", field="filters")
    return parsed


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_ID_CHARS,
        description="A key of the client's choosing: a retry with the same key returns the"
        " original result and stores nothing new (keys are kept 7 days).",
    ),
]


@router.post("/memories", status_code=201, response_model=MemoriesOut)
def add_memories(
    body: AddIn, mem: TenantMemory, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Remember messages verbatim (and what they say: facts, entities, dates)."""
    stored = mem.add(**body.model_dump(exclude_none=True), idempotency_key=idempotency_key)
    return {"memories": _memories(stored)}


@router.post("/memories/batch", status_code=201, response_model=BatchOut)
def add_batch(
    body: BatchIn, mem: TenantMemory, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Several adds at once, all or nothing."""
    items = [item.model_dump(exclude_none=True) for item in body.items]
    stored = mem.add_batch(items, idempotency_key=idempotency_key)
    return {"results": [_memories(episodes) for episodes in stored]}


@router.post("/search", response_model=HitsOut)
def search(body: SearchIn, mem: TenantMemory) -> dict[str, Any]:
    """Hybrid recall within a scope, best first, each hit with the signals behind it."""
    hits = mem.search(**body.model_dump(exclude_none=True))
    return {"hits": [hit_to_dict(hit) for hit in hits]}


@router.post("/context", response_model=ContextOut)
def context(body: ContextIn, mem: TenantMemory) -> dict[str, Any]:
    """A ready-to-prompt context for a task: profiles, facts, conversation, latest turns."""
    return mem.context(**body.model_dump(exclude_none=True)).to_dict()


@router.get("/memories", response_model=PageOut)
def list_memories(
    mem: TenantMemory,
    user_id: IdQuery = None,
    agent_id: IdQuery = None,
    session_id: IdQuery = None,
    filters: Annotated[str | None, Query(description="A metadata filter as JSON.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    include_inactive: bool = False,
    include_superseded: bool = False,
) -> dict[str, Any]:
    """Memories of a scope in insertion order, one page at a time."""
    page = mem.get_all(
        user_id=user_id, agent_id=agent_id, session_id=session_id, filters=_filters(filters),
        limit=limit, cursor=cursor, include_inactive=include_inactive,
        include_superseded=include_superseded,
    )  # fmt: skip
    return page_to_dict(page)


@router.delete("/memories", response_model=DeletedCountOut)
def delete_scope(
    mem: TenantMemory, user_id: IdQuery = None, agent_id: IdQuery = None, session_id: IdQuery = None
) -> dict[str, Any]:
    """Delete every memory of a scope (a scope is required)."""
    return {"deleted": mem.delete_all(user_id=user_id, agent_id=agent_id, session_id=session_id)}


@router.get("/memories/{memory_id}", response_model=MemoryOut)
def get_memory(memory_id: str, mem: TenantMemory) -> dict[str, Any]:
    """One memory by id."""
    return memory_to_dict(mem.get(memory_id))


@router.patch("/memories/{memory_id}", response_model=MemoryOut)
def update_memory(memory_id: str, body: UpdateIn, mem: TenantMemory) -> dict[str, Any]:
    """Write a new version of a memory; the old one stays in its history."""
    changes = body.model_dump(exclude_unset=True)
    updated = mem.update(
        memory_id, text=changes.get("text") or UNSET, metadata=changes.get("metadata", UNSET)
    )
    return memory_to_dict(updated)


@router.delete("/memories/{memory_id}", response_model=DeletedOut)
def delete_memory(memory_id: str, mem: TenantMemory) -> dict[str, Any]:
    """Delete a memory and everything derived from it."""
    return {"deleted": mem.delete(memory_id)}


@router.post("/memories/{memory_id}/archive", response_model=MemoryOut)
def archive(memory_id: str, mem: TenantMemory) -> dict[str, Any]:
    """Archive a memory (and what is drawn from it): kept and restorable, not recalled."""
    return memory_to_dict(mem.archive(memory_id))


@router.post("/memories/{memory_id}/restore", response_model=MemoryOut)
def restore(memory_id: str, mem: TenantMemory) -> dict[str, Any]:
    """Bring an archived memory back."""
    return memory_to_dict(mem.restore(memory_id))


@router.post("/forget", response_model=ForgottenOut, tags=["forgetting"])
def forget(body: ForgetIn, mem: TenantMemory) -> dict[str, Any]:
    """Erase one memory or a whole scope for good, leaving no trace in the store's files."""
    return {"forgotten": mem.forget(**body.model_dump(exclude_none=True))}


@router.post("/feedback", response_model=ReinforcedOut, tags=["forgetting"])
def feedback(body: FeedbackIn, mem: TenantMemory) -> dict[str, Any]:
    """Tell which recalled memories were used: they grow stronger and fade later."""
    return {"reinforced": mem.feedback(body.memory_ids, useful=body.useful)}


@router.post("/fade", response_model=FadedOut, tags=["forgetting"])
def fade(body: FadeIn, mem: TenantMemory) -> dict[str, Any]:
    """Archive the scope's faded memories and delete its expired ones."""
    return mem.fade(**body.model_dump(exclude_none=True))


@router.post("/consolidate", response_model=ConsolidatedOut, tags=["forgetting"])
def consolidate(body: ConsolidateIn, mem: TenantMemory) -> dict[str, Any]:
    """Consolidate now: episode and session gists, merged facts, fading (idempotent).

    Other requests keep being served meanwhile: each session is its own transaction.
    """
    return mem.consolidate(**body.model_dump(exclude_none=True))


@router.post("/answer", response_model=AnswerOut, tags=["llm"])
def answer(body: AnswerIn, mem: TenantMemory) -> dict[str, Any]:
    """Answer a question from memory with citations (501 without an LLM, 502 if it fails)."""
    return mem.answer(**body.model_dump(exclude_none=True)).to_dict()


@router.get("/jobs", response_model=JobsOut, tags=["llm"])
def jobs(
    mem: TenantMemory,
    status: Annotated[Literal["pending", "done", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> dict[str, Any]:
    """The tenant's background LLM jobs, oldest first, with the error of failed ones."""
    return {"jobs": [job.to_dict() for job in mem.jobs(status=status, limit=limit)]}


@router.post("/jobs/retry", response_model=RetriedOut, tags=["llm"])
def retry(body: RetryIn, mem: TenantMemory) -> dict[str, int]:
    """Run failed LLM jobs again (those named, or all of the tenant's), then the pending."""
    return mem.retry(body.job_ids)


@router.get("/usage", tags=["llm"])
def usage(mem: TenantMemory) -> dict[str, Any]:
    """LLM calls, tokens, cost and latency per operation since the server started."""
    return mem.usage()


@router.post("/trajectories", status_code=201, response_model=MemoryOut, tags=["procedures"])
def add_trajectory(body: TrajectoryIn, mem: TenantMemory) -> dict[str, Any]:
    """Remember an agent's attempt at a task; the procedure for its kind of task is updated."""
    data = body.model_dump(exclude_none=True)
    data["steps"] = [
        s if isinstance(s, str) else s.model_dump(exclude_none=True) for s in body.steps
    ]
    return memory_to_dict(mem.add_trajectory(**data))


@router.get("/procedures", response_model=ProceduresOut, tags=["procedures"])
def procedures(
    mem: TenantMemory,
    task: Annotated[str, Query(min_length=1, max_length=100_000)],
    user_id: IdQuery = None,
    agent_id: IdQuery = None,
    k: Annotated[int, Query(ge=1, le=50)] = 3,
) -> dict[str, Any]:
    """The best-known procedures for a task, with success rates and pitfalls."""
    found = mem.procedures(task, user_id=user_id, agent_id=agent_id, k=k)
    return {"procedures": [p.to_dict() for p in found]}


@router.get("/memories/{memory_id}/history", response_model=EventsOut)
def history(memory_id: str, mem: TenantMemory) -> dict[str, Any]:
    """Every change of a memory, oldest first (also after deletion, without content)."""
    return {"events": [event_to_dict(e) for e in mem.history(memory_id)]}


@router.get("/entities", response_model=EntitiesOut, tags=["entities"])
def entities(mem: TenantMemory, user_id: IdQuery = None, agent_id: IdQuery = None) -> Any:
    """The people, places, organisations, pets, events and works of a user / agent."""
    found = mem.entities(user_id=user_id, agent_id=agent_id)
    return {"entities": [entity_to_dict(e) for e in found]}


@router.get("/entities/{name_or_id}", response_model=EntityPageOut, tags=["entities"])
def entity(
    name_or_id: str, mem: TenantMemory, user_id: IdQuery = None, agent_id: IdQuery = None
) -> dict[str, Any]:
    """An entity's page: its mentions, facts and relations."""
    return entity_page_to_dict(mem.entity(name_or_id, user_id=user_id, agent_id=agent_id))


@router.get("/profiles/{person}", response_model=ProfileOut, tags=["entities"])
def profile(
    person: str, mem: TenantMemory, user_id: IdQuery = None, agent_id: IdQuery = None
) -> dict[str, Any]:
    """What is known now about a person, slot by slot."""
    return profile_to_dict(mem.profile(person, user_id=user_id, agent_id=agent_id))


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {NDJSON: {"schema": {"type": "string"}}}}},
    tags=["portability"],
)
def export(mem: TenantMemory) -> StreamingResponse:
    """The tenant's whole memory as JSON Lines (memories, vectors, history, graph)."""
    # closed by the generator once the response is sent
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")  # noqa: SIM115
    mem.export(spool)
    spool.seek(0)

    def lines() -> Iterator[str]:
        with spool:
            yield from spool

    return StreamingResponse(lines(), media_type=NDJSON)


@router.post(
    "/import",
    response_model=ImportedOut,
    status_code=201,
    openapi_extra={
        "requestBody": {"required": True, "content": {NDJSON: {"schema": {"type": "string"}}}}
    },
    tags=["portability"],
)
async def import_(request: Request, mem: TenantMemory) -> dict[str, Any]:
    """Load an export (JSON Lines) into the tenant; all or nothing."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the export must be UTF-8 text", field="body") from exc
    return {"imported": await run_in_threadpool(mem.import_, io.StringIO(text))}
