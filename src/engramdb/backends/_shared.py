"""Pieces every SQL backend uses the same way: row-id cursors and event payloads."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from engramdb.errors import InvalidInput
from engramdb.model.codec import memory_to_dict
from engramdb.model.memory import MemoryRecord
from engramdb.model.query import Page

__all__ = ["event_payload", "page_of", "parse_cursor"]


def parse_cursor(cursor: str | None) -> int:
    """The row id a listing resumes after (``"r<rid>"``; ``None``: the start).

    Raises:
        InvalidInput: not a cursor this store handed out.
    """
    if cursor is None:
        return 0
    if not (cursor.startswith("r") and cursor[1:].isdigit()):
        raise InvalidInput(f"invalid cursor {cursor!r}", field="cursor")
    return int(cursor[1:])


def page_of(
    rows: Sequence[Any], limit: int, memories: Callable[[Sequence[Any]], list[MemoryRecord]]
) -> Page:
    """A page from ``limit + 1`` rows fetched in row-id order (the extra one says "more")."""
    kept = rows[:limit]
    more = len(rows) > limit and bool(kept)
    return Page(memories(kept), f"r{kept[-1]['rid']}" if more else None)


def event_payload(memory: MemoryRecord | dict[str, Any] | None) -> str | None:
    """An event's before / after state as JSON (exported events carry it as a dict already)."""
    if memory is None:
        return None
    data = memory if isinstance(memory, dict) else memory_to_dict(memory)
    return json.dumps(data, ensure_ascii=False)
