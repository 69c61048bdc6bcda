"""Reading a whole scope's turns through the listing's cursors (shared by the integrations)."""

from __future__ import annotations

from collections.abc import Iterator

from engramdb.engine import Memory
from engramdb.model.memory import MemoryKind, MemoryRecord

__all__ = ["every_turn"]

_PAGE = 1000  # memories per page


def every_turn(
    memory: Memory,
    *,
    user_id: str | None = None,
    agent_id: str | None = None,
    session_id: str | None = None,
) -> Iterator[MemoryRecord]:
    """Every turn (episode) of a scope, oldest first, one page at a time."""
    cursor = None
    while True:
        page = memory.get_all(
            user_id=user_id, agent_id=agent_id, session_id=session_id, limit=_PAGE,
            cursor=cursor, filters={"kind": MemoryKind.EPISODE.value},
        )  # fmt: skip
        yield from page
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
