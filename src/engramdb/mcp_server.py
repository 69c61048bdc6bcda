"""An MCP server whose tools give an agent long-term memory (``engramdb mcp``).

The tools are written for agents, against the engine API: remember, recall,
get_context, about, update, forget. Which user / agent / tenant they act for is
fixed by configuration, so an agent cannot wander into another user's memories.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, ParamSpec, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from engramdb import __version__
from engramdb.api import OPERATIONS, Operation
from engramdb.api_schema import declared_param, takes_declared
from engramdb.engine import Memory
from engramdb.errors import EngramError, InvalidInput
from engramdb.model.memory import MemoryKind, MemoryRecord
from engramdb.model.query import Hit
from engramdb.model.validation import check_id
from engramdb.wire import to_wire

__all__ = ["McpScope", "build_mcp_server", "generated_tool"]

P = ParamSpec("P")
R = TypeVar("R")

INSTRUCTIONS = """Long-term memory across sessions. Call `remember` with what the user tells
you that is worth keeping (facts about them, plans, preferences, events), `recall` or
`get_context` before answering anything that may depend on the past, and `about` for
everything known about a person, place or thing. Memories carry ids and dates; cite them."""


@dataclass(frozen=True, slots=True)
class McpScope:
    """Whose memories the tools use: a user and/or an agent, optionally in a tenant."""

    user_id: str | None = None
    agent_id: str | None = None
    tenant_id: str | None = None

    @classmethod
    def checked(
        cls, *, user_id: str | None, agent_id: str | None, tenant_id: str | None
    ) -> McpScope:
        """A validated scope; a user or an agent is required.

        Raises:
            InvalidInput: neither user nor agent, or a bad id.
        """
        if user_id is None and agent_id is None:
            raise InvalidInput("the MCP server needs --user and/or --agent", field="scope")
        ids = {"user_id": user_id, "agent_id": agent_id, "tenant_id": tenant_id}
        return cls(**{k: None if v is None else check_id(v, k) for k, v in ids.items()})

    def keys(self) -> dict[str, Any]:
        """The user / agent keyword arguments for ``Memory`` calls."""
        return {k: v for k, v in (("user_id", self.user_id), ("agent_id", self.agent_id)) if v}


def _day(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")


def _memory(memory: MemoryRecord) -> dict[str, Any]:
    return {
        "id": memory.id,
        "kind": memory.kind.value,
        "text": memory.text,
        "speaker": memory.speaker,
        "when": _day(memory.occurred_at),
        "session_id": memory.scope.session_id,
        "status": memory.status.value,
    }


def _hit(hit: Hit) -> dict[str, Any]:
    found = _memory(hit.memory)
    found["why"] = hit.explain()
    if hit.memory.kind is not MemoryKind.EPISODE:
        found["source_turns"] = [_memory(m) for m in hit.sources]
    return found


class _Tools:
    """The tool implementations, bound to one engine and scope."""

    def __init__(self, memory: Memory, scope: McpScope) -> None:
        self.memory = memory if scope.tenant_id is None else memory.for_tenant(scope.tenant_id)
        self.scope = scope

    async def _call(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await asyncio.to_thread(method, *args, **kwargs)
        except EngramError as exc:  # the agent can read and correct these
            raise ToolError(f"{type(exc).__name__}: {exc}") from exc

    @takes_declared(session_id=("add", "session_id"))
    async def remember(
        self,
        content: Annotated[str, Field(description="What to remember, in the speaker's words.")],
        speaker: Annotated[
            str | None, Field(description="Who said it (a name); default: the user.")
        ] = None,
        role: Annotated[str, Field(description="user or assistant.")] = "user",
        session_id: str | None = None,
    ) -> dict[str, Any]:
        """Store something said, verbatim, with the time; facts and entities are derived."""
        message = {"role": role, "content": content, **({"name": speaker} if speaker else {})}
        stored = await self._call(
            self.memory.add, [message], session_id=session_id, **self.scope.keys()
        )
        return {"stored": [_memory(m) for m in stored]}

    @takes_declared(query=("search", "query"), k=("search", "k"), as_of=("search", "as_of"))
    async def recall(self, query: str, k: int, as_of: datetime | None) -> dict[str, Any]:
        """Find the memories most relevant to a query, best first, with why each matched."""
        hits = await self._call(self.memory.search, query, k=k, as_of=as_of, **self.scope.keys())
        return {"memories": [_hit(hit) for hit in hits]}

    @takes_declared(task=("context", "query"), budget_tokens=("context", "budget_tokens"))
    async def get_context(self, task: str, budget_tokens: int) -> str:
        """Ready-to-prompt context for a task: profiles, facts, dated conversation, latest turns."""
        built = await self._call(
            self.memory.context, task, budget_tokens=budget_tokens, **self.scope.keys()
        )
        return built.text or "Nothing relevant is remembered."

    @takes_declared(task=("add_trajectory", "task"))
    async def record_attempt(
        self,
        task: str,
        steps: Annotated[list[str], Field(description="The actions you took, in order.")],
        succeeded: Annotated[bool, Field(description="Whether the task was done.")],
        error: Annotated[
            str | None, Field(description="If it failed: what went wrong at the last step.")
        ] = None,
    ) -> dict[str, Any]:
        """Record how an attempt at a task went, so the next similar task can learn from it."""
        taken: list[Any] = list(steps)
        if error and taken:
            taken[-1] = {"action": taken[-1], "error": error}
        outcome = "success" if succeeded else "failure"
        stored = await self._call(
            self.memory.add_trajectory, task, taken, outcome, **self.scope.keys()
        )
        return {"stored": stored.id}

    @takes_declared(task=("procedures", "task"))
    async def how_to(self, task: str) -> dict[str, Any]:
        """What worked before for tasks like this one: steps, success rate and pitfalls."""
        found = await self._call(self.memory.procedures, task, **self.scope.keys())
        return {"procedures": [p.to_dict() for p in found]}

    @takes_declared(name=("entity", "name_or_id"))
    async def about(self, name: str) -> dict[str, Any]:
        """Everything known about an entity: profile (for people), facts and relations."""
        page = await self._call(self.memory.entity, name, **self.scope.keys())
        entity = page.entity
        known: dict[str, Any] = {"name": entity.name, "kind": entity.kind, "id": entity.id}
        if entity.kind == "person":
            profile = await self._call(self.memory.profile, entity.id, **self.scope.keys())
            known["profile"] = profile.as_dict()
        known["facts"] = [_memory(m) for m in page.facts]
        known["relations"] = [
            {"predicate": r.predicate, "object": r.object_value, "current": r.valid_to is None}
            for r in page.relations
        ]
        return known

    @takes_declared(memory_id=("update", "memory_id"), text=("update", "text", True))
    async def update(self, memory_id: str, text: str) -> dict[str, Any]:
        """Correct a memory; the old version stays in its history."""
        await self._call(self.memory.get, memory_id, **self.scope.keys())
        return _memory(await self._call(self.memory.update, memory_id, text=text))

    @takes_declared(memory_id=("forget", "memory_id", True))
    async def forget(self, memory_id: str) -> dict[str, Any]:
        """Erase a memory and everything derived from it, for good (no trace is left)."""
        await self._call(self.memory.get, memory_id, **self.scope.keys())
        return {"forgotten": await self._call(self.memory.forget, memory_id)}


SCOPE_IDS = ("user_id", "agent_id")  # fixed by the server's configuration, not by the agent


def generated_tool(tools: _Tools, op: Operation) -> Callable[..., Any]:
    """A tool for a declared operation that has no hand-written one.

    Same parameters (the scope aside), declared bounds and docs; returns the result's
    JSON form.
    """
    params = [p for p in op.remote_params if p.name not in SCOPE_IDS]
    owners = {k: v for k, v in tools.scope.keys().items() if k in {p.name for p in op.params}}

    async def tool(**given: Any) -> dict[str, Any]:
        method = getattr(tools.memory, op.name)
        found = await tools._call(method, **{**given, **owners})
        return {"result": to_wire(found, op.returns)}

    signature = inspect.Signature(
        [declared_param(op.name, p.name) for p in params if p.required]
        + [declared_param(op.name, p.name) for p in params if not p.required],
        return_annotation=dict[str, Any],
    )
    tool.__name__ = tool.__qualname__ = str(op.mcp)
    tool.__doc__ = op.doc
    tool.__signature__ = signature  # type: ignore[attr-defined]
    return tool


def build_mcp_server(memory: Memory, scope: McpScope) -> MCPServer:
    """An MCP server exposing the memory tools for ``scope``."""
    tools = _Tools(memory, scope)
    server: MCPServer = MCPServer(
        name="engramdb", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)
    server.add_tool(
        tools.remember,
        annotations=ToolAnnotations(destructive_hint=False, open_world_hint=False),
    )
    server.add_tool(tools.recall, annotations=read_only)
    server.add_tool(tools.get_context, annotations=read_only)
    server.add_tool(tools.about, annotations=read_only)
    server.add_tool(tools.how_to, annotations=read_only)
    server.add_tool(
        tools.record_attempt,
        annotations=ToolAnnotations(destructive_hint=False, open_world_hint=False),
    )
    server.add_tool(
        tools.update,
        annotations=ToolAnnotations(
            destructive_hint=True, idempotent_hint=True, open_world_hint=False
        ),
    )
    server.add_tool(
        tools.forget,
        annotations=ToolAnnotations(
            destructive_hint=True, idempotent_hint=False, open_world_hint=False
        ),
    )
    for op in OPERATIONS.values():
        if op.mcp is not None and not hasattr(tools, op.mcp):
            reads = op.route is not None and op.route.method == "GET"
            hints = ToolAnnotations(read_only_hint=reads, open_world_hint=False)
            server.add_tool(generated_tool(tools, op), annotations=hints)
    return server
