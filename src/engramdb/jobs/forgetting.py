"""Forgetting: archive what has faded, delete what expired or what a user erases."""

from __future__ import annotations

from datetime import datetime

from engramdb.model.memory import EventKind, MemoryRecord, MemoryStatus, Scope
from engramdb.model.retention import FADED, reinforced, retention
from engramdb.ports.store import MemoryStore

__all__ = ["delete_scope", "fade", "reinforce", "set_family_status"]

_BATCH = 1000  # ids per round trip when paging through a scope


def fade(
    store: MemoryStore, scope: Scope, *, now: datetime, actor: str, threshold: float = FADED
) -> dict[str, int]:
    """Archive what has faded in a scope and delete what has expired.

    A memory has faded when its retention fell below ``threshold``.

    Returns:
        ``{"archived": n, "expired": m}``.
    """
    faded: list[str] = []
    expired: list[str] = []
    for batch in store.iter_ids(scope, _BATCH):
        for memory in store.get_many(batch).values():
            if memory.expires_at is not None and memory.expires_at <= now:
                expired.append(memory.id)
            elif memory.status is MemoryStatus.ACTIVE and retention(memory, now) < threshold:
                faded.append(memory.id)
    if faded:
        store.set_status(faded, MemoryStatus.ARCHIVED, EventKind.ARCHIVE, actor, now)
    gone = store.delete(expired, actor, now) if expired else []
    return {"archived": len(faded), "expired": len(gone)}


def delete_scope(store: MemoryStore, scope: Scope, *, now: datetime, actor: str) -> int:
    """Delete every memory of a scope, however many; returns how many went."""
    deleted = 0
    for batch in store.iter_ids(scope, _BATCH):
        deleted += len(store.delete(batch, actor, now))
    if deleted:
        store.purge_deleted_text()  # no word of the scope stays in the text index
    return deleted


def set_family_status(
    store: MemoryStore,
    memory_id: str,
    status: MemoryStatus,
    *,
    within: Scope,
    now: datetime,
    actor: str,
) -> None:
    """Give a memory and what is drawn from it (inside ``within``) a new status."""
    family = store.with_derived([memory_id])
    changing = [
        m.id
        for m in store.get_many(family).values()
        if m.status is not status and within.contains(m.scope)
    ]
    kind = EventKind.ARCHIVE if status is MemoryStatus.ARCHIVED else EventKind.RESTORE
    if changing:
        store.set_status(changing, status, kind, actor, now)


def reinforce(store: MemoryStore, memories: list[MemoryRecord], now: datetime) -> None:
    """Count memories as used now: they grow stronger and their forgetting clock restarts."""
    used = [reinforced(m, now) for m in memories]
    if used and not store.read_only:
        store.set_usage(used)
