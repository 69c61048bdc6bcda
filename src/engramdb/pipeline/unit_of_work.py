"""One transaction per unit of work, run again when the store lost it before committing."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from engramdb.errors import BackendUnavailable
from engramdb.ports.store import MemoryStore

__all__ = ["ATTEMPTS", "run_atomically"]

T = TypeVar("T")
#: tries of a unit of work whose connection was lost before its commit
ATTEMPTS = 3
_BACKOFF_SECONDS = 0.2


def run_atomically(store: MemoryStore, work: Callable[[], T]) -> T:
    """Run ``work`` inside ``store.atomic()``.

    When the connection to a server store drops mid-transaction, the server rolls the
    transaction back and the store raises ``BackendUnavailable(retry_safe=True)``: the
    work is run again on a fresh connection, so nothing is lost and nothing doubled.
    ``work`` must be re-runnable: it reads what it needs inside the transaction.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with store.atomic():
                return work()
        except BackendUnavailable as exc:
            if not exc.retry_safe or attempt == ATTEMPTS:
                raise
            time.sleep(_BACKOFF_SECONDS * attempt)
    raise AssertionError("unreachable")  # pragma: no cover
