"""Idempotent adds: a retried request returns its original result and stores nothing new.

Clients retry on timeouts, and a timed-out request may well have been stored. With an
idempotency key, the first request records the key, a fingerprint of what it asked and
the ids it stored, in its own transaction; a retry with the same key finds them and gets
the same episodes back. The same key with a different request is a :class:`Conflict`
(a client bug that must not pass silently). Keys are kept for :data:`IDEMPOTENCY_WINDOW`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from engramdb.errors import Conflict, IntegrityViolation
from engramdb.model.memory import MemoryRecord
from engramdb.ports.store import MemoryStore

__all__ = ["IDEMPOTENCY_WINDOW", "IdempotentAdd", "Stored", "add_once"]

IDEMPOTENCY_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class IdempotentAdd:
    """One add request under an idempotency key of a tenant."""

    store: MemoryStore
    tenant_id: str | None
    key: str
    fingerprint: str
    now: datetime

    def replay(self) -> list[list[MemoryRecord]] | None:
        """The original result if the key was used before, else ``None``.

        Raises:
            Conflict: the key was used for a different request.
        """
        since = self.now - IDEMPOTENCY_WINDOW
        found = self.store.idempotent_result(self.tenant_id, self.key, since)
        if found is None:
            return None
        if found.fingerprint != self.fingerprint:
            raise Conflict(f"idempotency key {self.key!r} was already used for a different request")
        memories = self.store.get_many([i for ids in found.ids for i in ids])
        return [[memories[i] for i in ids if i in memories] for ids in found.ids]

    def record(self, stored: list[list[MemoryRecord]]) -> None:
        """Record the key with what was stored (inside the storing transaction)."""
        ids = [[m.id for m in episodes] for episodes in stored]
        expired = self.now - IDEMPOTENCY_WINDOW
        self.store.save_idempotent(
            self.tenant_id, self.key, self.fingerprint, ids, self.now, expired
        )


Stored = list[list[MemoryRecord]]


def add_once(once: IdempotentAdd, store_add: Callable[[IdempotentAdd], Stored]) -> Stored:
    """The first result under ``once``'s key: replayed, or stored now by ``store_add``.

    ``store_add`` must call ``once.record`` inside its transaction.
    """
    replayed = once.replay()
    if replayed is not None:
        return replayed
    try:
        return store_add(once)
    except IntegrityViolation:
        # a concurrent retry recorded the key first: this one rolled back, and gets its result
        replayed = once.replay()
        if replayed is None:
            raise
        return replayed
