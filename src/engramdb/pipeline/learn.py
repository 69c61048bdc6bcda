"""Store agent trajectories and keep one procedure memory per kind of task up to date."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from engramdb.model.filters import Cond
from engramdb.model.ids import new_id
from engramdb.model.memory import MemoryKind, MemoryRecord, Scope
from engramdb.model.procedure import Procedure
from engramdb.pipeline.procedures import ProcedureDraft, Step, summarize, task_pattern
from engramdb.ports.embedder import Embedder
from engramdb.ports.store import MemoryStore, VectorIndex

__all__ = ["GROUP_SIMILARITY", "Attempt", "learn_from_attempt", "recall_procedures"]

GROUP_SIMILARITY = 0.8  # task patterns at least this alike are the same kind of task
MIN_SIMILARITY = 0.3  # procedures less alike than this are not offered
_PROCEDURES = Cond("kind", "eq", MemoryKind.PROCEDURE.value, column=True)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One validated trajectory."""

    task: str
    steps: list[Step]
    outcome: str
    scope: Scope
    when: datetime
    metadata: dict[str, Any]


def _owner(scope: Scope) -> Scope:
    """Procedures belong to the user / agent, shared by its sessions."""
    return replace(scope, session_id=None)


def _trajectory(attempt: Attempt, now: datetime) -> MemoryRecord:
    lines = [f"{i}. {s.action}" + (f" (failed: {s.error})" if s.error else "")
             for i, s in enumerate(attempt.steps, start=1)]  # fmt: skip
    text = f"Task: {attempt.task}\n" + "\n".join(lines) + f"\nOutcome: {attempt.outcome}"
    steps = [{"action": s.action, "error": s.error} for s in attempt.steps]
    return MemoryRecord(
        id=new_id(now),
        kind=MemoryKind.TRAJECTORY,
        text=text,
        scope=attempt.scope,
        occurred_at=attempt.when,
        recorded_at=now,
        role="tool",
        metadata={**attempt.metadata, "task": attempt.task, "steps": steps,
                  "outcome": attempt.outcome},
        valid_from=attempt.when,
    )  # fmt: skip


def _procedure_text(pattern: str, draft: ProcedureDraft) -> str:
    runs = draft.successes + draft.failures
    steps = "; ".join(f"{i}. {s}" for i, s in enumerate(draft.steps, start=1)) or "none known"
    text = f"Procedure for tasks like '{pattern}': {steps}. Succeeded {draft.successes} of {runs}."
    if draft.pitfalls:
        text += " Pitfalls: " + "; ".join(draft.pitfalls[:5]) + "."
    return text


def _procedure(
    base: MemoryRecord, pattern: str, example: str, sources: tuple[str, ...], draft: ProcedureDraft
) -> MemoryRecord:
    return replace(
        base,
        text=_procedure_text(pattern, draft),
        reading=pattern,  # what it is embedded and found by: the kind of task
        sources=sources,
        metadata={
            "pattern": pattern, "example": example, "steps": list(draft.steps),
            "successes": draft.successes, "failures": draft.failures,
            "pitfalls": list(draft.pitfalls),
        },
    )  # fmt: skip


def _attempts(store: MemoryStore, ids: tuple[str, ...]) -> list[tuple[list[Step], str]]:
    found = store.get_many(list(ids))
    ordered = sorted(found.values(), key=lambda m: (m.occurred_at, m.id))
    return [
        ([Step(s["action"], s.get("error")) for s in m.metadata["steps"]], m.metadata["outcome"])
        for m in ordered
    ]


def _closest(store: MemoryStore, vector: Any, scope: Scope, limit: int) -> list[tuple[str, float]]:
    if not isinstance(store, VectorIndex):
        return []
    return store.vector_search(vector, _owner(scope), _PROCEDURES, limit)


def learn_from_attempt(
    store: MemoryStore, embedder: Embedder, attempt: Attempt, *, now: datetime, actor: str
) -> MemoryRecord:
    """Store the trajectory and fold it into the procedure of its kind of task (one transaction)."""
    trajectory = _trajectory(attempt, now)
    pattern = task_pattern(attempt.task) or attempt.task.lower()
    task_vector, pattern_vector = embedder.embed_many([trajectory.text, pattern])
    with store.atomic():
        store.insert([trajectory], [task_vector], actor)
        closest = _closest(store, pattern_vector, attempt.scope, 1)
        group = store.get_many([closest[0][0]]) if closest else {}
        if closest and closest[0][1] >= GROUP_SIMILARITY and group:
            current = next(iter(group.values()))
            sources = (*current.sources, trajectory.id)
            draft = summarize(_attempts(store, sources))
            updated = _procedure(current, current.metadata["pattern"], attempt.task, sources, draft)
            store.replace(replace(updated, version=current.version + 1), None, actor, now)
        else:
            draft = summarize([(attempt.steps, attempt.outcome)])
            base = MemoryRecord(
                id=new_id(now), kind=MemoryKind.PROCEDURE, text="", scope=_owner(attempt.scope),
                occurred_at=attempt.when, recorded_at=now, valid_from=attempt.when,
            )  # fmt: skip
            created = _procedure(base, pattern, attempt.task, (trajectory.id,), draft)
            store.insert([created], [pattern_vector], actor)
    return trajectory


def recall_procedures(
    store: MemoryStore, embedder: Embedder, task: str, scope: Scope, k: int
) -> list[Procedure]:
    """The procedures of the kinds of task most like ``task``, most alike first."""
    vector = embedder.embed(task_pattern(task) or task.lower())
    closest = [
        (i, score) for i, score in _closest(store, vector, scope, k) if score >= MIN_SIMILARITY
    ]
    found = store.get_many([i for i, _ in closest])
    return [Procedure.from_memory(found[i], score) for i, score in closest if i in found]
