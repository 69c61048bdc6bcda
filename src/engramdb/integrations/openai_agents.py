"""The OpenAI Agents SDK on engramdb: a ``Session`` and memory tools (the ``openai-agents`` extra).

``EngramSession`` keeps an agent's conversation as engramdb turns (each item exactly as the
SDK gave it, so runs resume where they stopped), which makes it long-term memory as well.
``memory_tools`` gives an agent ``remember`` and ``recall`` function tools over a scope.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from agents import FunctionTool, function_tool
from agents.memory import SessionSettings

from engramdb.engine import Memory
from engramdb.integrations._paging import every_turn
from engramdb.model.memory import MemoryRecord

__all__ = ["EngramSession", "memory_tools"]

_ITEM = "openai_agents_item"  # the metadata key an item is kept under


class EngramSession:
    """An Agents SDK session (``Session`` protocol) stored in engramdb.

    Args:
        session_id: the conversation.
        memory: the open store.
        user_id: whose conversation.
        agent_id: the agent in it.
    """

    session_settings: SessionSettings | None = None

    def __init__(
        self,
        session_id: str,
        memory: Memory,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
    ) -> None:
        self.session_id = session_id
        self.memory = memory
        self.user_id, self.agent_id = user_id, agent_id

    async def get_items(self, limit: int | None = None) -> list[Any]:
        """The conversation's items, oldest first (with ``limit``: the latest ``limit``)."""
        turns = await asyncio.to_thread(self._turns)
        items = [t.metadata[_ITEM] for t in turns]
        return items if limit is None else items[-limit:] if limit > 0 else []

    async def add_items(self, items: list[Any]) -> None:
        """Store items, in order, in one call."""
        said = [_message(item) for item in items]
        if said:
            await asyncio.to_thread(
                self.memory.add, said, user_id=self.user_id, agent_id=self.agent_id,
                session_id=self.session_id,
            )  # fmt: skip

    async def pop_item(self) -> Any | None:
        """Remove the latest item and return it (``None`` when there is none)."""
        turns = await asyncio.to_thread(self._turns)
        if not turns:
            return None
        await asyncio.to_thread(self.memory.delete, turns[-1].id)
        return turns[-1].metadata[_ITEM]

    async def clear_session(self) -> None:
        """Erase the conversation (and what was drawn from it)."""
        await asyncio.to_thread(
            self.memory.delete_all, user_id=self.user_id, agent_id=self.agent_id,
            session_id=self.session_id,
        )  # fmt: skip

    def _turns(self) -> list[MemoryRecord]:
        scope = {"user_id": self.user_id, "agent_id": self.agent_id}
        turns = every_turn(self.memory, session_id=self.session_id, **scope)
        return [turn for turn in turns if _ITEM in turn.metadata]


def _message(item: Any) -> dict[str, Any]:
    """An SDK item as a turn: its text to recall, the item itself to give back."""
    data = dict(item)
    role = data.get("role")
    kind = data.get("type", "message")
    if kind == "message" or role in ("user", "assistant", "system", "developer"):
        text = _text(data.get("content"))
        turn_role = {"developer": "system"}.get(str(role), str(role or "user"))
    elif kind == "function_call":
        text = f"called {data.get('name')}({data.get('arguments', '')})"
        turn_role = "tool"
    elif kind == "function_call_output":
        text = f"tool result: {_text(data.get('output'))}"
        turn_role = "tool"
    else:  # reasoning and other items: kept, recalled by their JSON
        text = json.dumps(data, ensure_ascii=False)[:2000]
        turn_role = "tool"
    return {"role": turn_role, "content": text or kind, "metadata": {_ITEM: data}}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text") or p.get("refusal") or "" for p in content if isinstance(p, dict)]
        return " ".join(p for p in parts if p)
    return "" if content is None else json.dumps(content, ensure_ascii=False)


def memory_tools(
    memory: Memory, *, user_id: str | None = None, agent_id: str | None = None, k: int = 5
) -> list[FunctionTool]:
    """``remember`` and ``recall`` tools over one scope, for an Agents SDK ``Agent``."""

    @function_tool
    def remember(content: str) -> str:
        """Remember something the user said, in their words, for later conversations.

        Args:
            content: what to remember.
        """
        (stored,) = memory.add(content, user_id=user_id, agent_id=agent_id)
        return f"remembered ({stored.id})"

    @function_tool
    def recall(query: str) -> str:
        """Recall what is known that answers a question, with when it was said.

        Args:
            query: the question, or keywords.
        """
        hits = memory.search(query, user_id=user_id, agent_id=agent_id, k=k)
        lines = [f"[{h.memory.occurred_at:%Y-%m-%d}] {h.memory.text}" for h in hits]
        return "\n".join(lines) or "nothing remembered about that"

    return [remember, recall]
