"""engramdb's public operations, declared once: :class:`MemoryAPI`.

Each method of :class:`MemoryAPI` is one operation: its parameters, defaults, bounds
and docs (``Annotated`` markers, :mod:`engramdb.api.declare`), the object it returns,
and where each surface serves it (:func:`~engramdb.api.declare.operation`).
:class:`~engramdb.Memory` implements the protocol; :class:`~engramdb.AsyncMemory`
mirrors it as coroutines; the REST routes, :class:`~engramdb.RemoteMemory`, and the
MCP tools and CLI commands of new operations are built from it; the hand-written MCP
tools and CLI commands take their defaults and bounds from it.
``tests/test_surface.py`` fails when a surface differs from what is declared here.
"""

from __future__ import annotations

from typing import Any, Protocol

from engramdb.api.declare import (
    Doc,
    Length,
    Local,
    Operation,
    Param,
    Range,
    Route,
    Wire,
    declared,
    union_members,
)
from engramdb.api.forgetting import MemoryForgetting
from engramdb.api.graph import MemoryGraph
from engramdb.api.params import (
    CONTEXT_BUDGET,
    MAX_BATCH,
    MAX_ID_CHARS,
    MAX_JOBS,
    MAX_K,
    MAX_MESSAGES_PER_ADD,
    MAX_PAGE,
    MAX_TEXT_CHARS,
)
from engramdb.api.reads import MemoryReads
from engramdb.api.service import MemoryService
from engramdb.api.writes import MemoryWrites
from engramdb.errors import InvalidInput

__all__ = [
    "CONTEXT_BUDGET",
    "LOCAL_ONLY",
    "MAX_BATCH",
    "MAX_ID_CHARS",
    "MAX_JOBS",
    "MAX_K",
    "MAX_MESSAGES_PER_ADD",
    "MAX_PAGE",
    "MAX_TEXT_CHARS",
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
    "union_members",
]


_PARTS = (MemoryWrites, MemoryForgetting, MemoryReads, MemoryGraph, MemoryService)


class MemoryAPI(MemoryWrites, MemoryForgetting, MemoryReads, MemoryGraph, MemoryService, Protocol):
    """What every engramdb surface offers: the operations, their parameters and results."""


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


def _result_types() -> dict[str, Any]:
    from pathlib import Path

    from engramdb.model.answer import Answer
    from engramdb.model.context import Context
    from engramdb.model.graph import Entity, EntityPage
    from engramdb.model.jobs import Job
    from engramdb.model.lineage import Lineage, Timeline
    from engramdb.model.memory import MemoryEvent, MemoryRecord
    from engramdb.model.procedure import Procedure
    from engramdb.model.profile import Profile
    from engramdb.model.query import Hit, Page

    named = (Path, Answer, Entity, EntityPage, Job, MemoryEvent, MemoryRecord, Procedure, Hit)
    return {t.__name__: t for t in (*named, Page, Profile, Context, Lineage, Timeline)}


_RESULT_TYPES = _result_types()

OPERATIONS: dict[str, Operation] = {
    name: declared(method, _RESULT_TYPES)
    for part in _PARTS
    for name, method in vars(part).items()
    if callable(method) and hasattr(method, "__engramdb_surfaces__")
}


def check_bounds(operation_name: str, **values: Any) -> None:
    """Check numbers against their declared bounds (an :class:`InvalidInput` names the field).

    Only what is declared with a :class:`Range` is checked; ``None`` passes (absent).
    """
    op = OPERATIONS[operation_name]
    for name, value in values.items():
        param = op.param(name)
        bounds = param.range
        if value is None or bounds is None:
            continue
        annotation = param.annotation
        is_int = int in union_members(annotation)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or (is_int and not isinstance(value, int)) or not bounds.admits(value):
            kind = "an integer" if is_int else "a number"
            raise InvalidInput(f"{name} must be {kind} {bounds.describe()}", field=name)
