"""Counting the store calls an operation makes (a test's or a benchmark's probe)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from engramdb.ports.store import MemoryStore

__all__ = ["store_calls"]

#: store methods that read nothing: ``pinned`` only holds a connection for the calls inside
NOT_CALLS = frozenset({"pinned"})


@contextmanager
def store_calls(store: MemoryStore) -> Iterator[list[str]]:
    """The names of the store methods called while inside, in order.

    Only outermost calls count: a store method that calls another of its own is one call.
    """
    calls: list[str] = []
    depth = [0]
    names = [
        n
        for n in dir(type(store))
        if not n.startswith("_") and n not in NOT_CALLS and callable(getattr(store, n))
    ]

    def counting(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if depth[0] == 0:
                calls.append(name)
            depth[0] += 1
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    for name in names:
        setattr(store, name, counting(name, getattr(store, name)))
    try:
        yield calls
    finally:
        for name in names:
            delattr(store, name)
