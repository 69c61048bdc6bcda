"""Pieces every SQL backend uses the same way: row-id cursors, event payloads, neighbourhoods."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from engramdb.errors import InvalidInput
from engramdb.model.codec import memory_to_dict
from engramdb.model.memory import MemoryKind, MemoryRecord, Scope
from engramdb.model.query import Page

__all__ = ["around_each", "best_passing", "event_payload", "neighbourhood_anchors", "page_of",
           "parse_cursor", "parse_time_cursor", "time_page_of"]  # fmt: skip


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


def parse_time_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The (time said, row id) a timeline resumes after (``"t<iso>~<rid>"``; ``None``: start).

    Raises:
        InvalidInput: not a cursor this store handed out.
    """
    if cursor is None:
        return None
    when, _, rid = cursor[1:].partition("~")
    try:
        if not cursor.startswith("t") or not rid.isdigit():
            raise ValueError(cursor)
        at = datetime.fromisoformat(when)
    except ValueError:
        raise InvalidInput(f"invalid cursor {cursor!r}", field="cursor") from None
    if at.tzinfo is None:
        raise InvalidInput(f"invalid cursor {cursor!r}", field="cursor")
    return at, int(rid)


def time_page_of(
    rows: Sequence[Any], limit: int, memories: Callable[[Sequence[Any]], list[MemoryRecord]]
) -> Page:
    """A page from ``limit + 1`` rows in time order; its cursor is the last (time, row id)."""
    kept = memories(rows[:limit])
    if len(rows) <= limit or not kept:
        return Page(kept, None)
    return Page(kept, f"t{kept[-1].occurred_at.isoformat()}~{rows[limit - 1]['rid']}")


def event_payload(memory: MemoryRecord | dict[str, Any] | None) -> str | None:
    """An event's before / after state as JSON (exported events carry it as a dict already)."""
    if memory is None:
        return None
    data = memory if isinstance(memory, dict) else memory_to_dict(memory)
    return json.dumps(data, ensure_ascii=False)


def neighbourhood_anchors(memories: Sequence[MemoryRecord]) -> list[MemoryRecord]:
    """The distinct episodes of ``memories`` that have a session position."""
    unique = {m.id: m for m in memories if m.seq is not None and m.kind is MemoryKind.EPISODE}
    return list(unique.values())


def around_each(
    anchors: Sequence[MemoryRecord], found: Sequence[MemoryRecord], window: int
) -> dict[str, list[MemoryRecord]]:
    """Split the episodes fetched for all ``anchors`` into each one's neighbours."""
    by_scope: dict[Scope, list[MemoryRecord]] = {}
    for memory in found:
        by_scope.setdefault(memory.scope, []).append(memory)
    return {
        anchor.id: [
            m
            for m in by_scope.get(anchor.scope, [])
            if m.seq != anchor.seq and abs((m.seq or 0) - (anchor.seq or 0)) <= window
        ]
        for anchor in anchors
    }


def best_passing(
    ranked: Callable[[int], list[tuple[int, float]]],
    passing: Callable[[list[int]], dict[int, str]],
    limit: int,
    fetch: int | None = None,
) -> list[tuple[str, float]]:
    """The first ``limit`` (memory id, score) of an index's (rid, score) ranking that pass.

    ``passing`` maps the rids that meet the search's filters to their memory ids. The
    index is asked for ``fetch`` (twice ``limit`` by default) at first, four times more
    each time too few pass, until enough do or the index has no more.
    """
    fetch = fetch or limit * 2
    while True:
        pairs = ranked(fetch)
        ids = passing([rid for rid, _ in pairs])
        kept = [(ids[rid], score) for rid, score in pairs if rid in ids]
        if len(kept) >= limit or len(pairs) < fetch:
            return kept[:limit]
        fetch *= 4
