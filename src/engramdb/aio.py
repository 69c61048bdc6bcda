"""``AsyncMemory``: every method runs the sync engine's method on a worker thread.

It holds no logic of its own; each coroutine is generated from the sync method,
so the two surfaces cannot drift apart.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from engramdb.api import OPERATIONS
from engramdb.engine import Memory

__all__ = ["AsyncMemory"]

P = ParamSpec("P")
R = TypeVar("R")


def _on_thread(
    method: Callable[Concatenate[Memory, P], R],
) -> Callable[Concatenate[AsyncMemory, P], Coroutine[Any, Any, R]]:
    async def run(self: AsyncMemory, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await asyncio.to_thread(method, self.sync, *args, **kwargs)

    # copy name, docstring and signature (inspect follows __wrapped__)
    functools.update_wrapper(run, method)
    return run


class AsyncMemory:
    """The async twin of :class:`~engramdb.Memory`, same methods, awaitable.

    Args:
        sync: the engine to delegate to; see :meth:`open`.
    """

    def __init__(self, sync: Memory) -> None:
        self.sync = sync

    @classmethod
    async def open(cls, *args: Any, **kwargs: Any) -> AsyncMemory:
        """Like :meth:`Memory.open <engramdb.Memory.open>` (same arguments), off the event loop."""
        return cls(await asyncio.to_thread(Memory.open, *args, **kwargs))

    def for_tenant(self, tenant_id: str) -> AsyncMemory:
        """Like :meth:`Memory.for_tenant <engramdb.Memory.for_tenant>`: a view of one tenant."""
        return AsyncMemory(self.sync.for_tenant(tenant_id))

    add = _on_thread(Memory.add)
    add_batch = _on_thread(Memory.add_batch)
    search = _on_thread(Memory.search)
    context = _on_thread(Memory.context)
    get = _on_thread(Memory.get)
    get_all = _on_thread(Memory.get_all)
    update = _on_thread(Memory.update)
    delete = _on_thread(Memory.delete)
    delete_all = _on_thread(Memory.delete_all)
    forget = _on_thread(Memory.forget)
    add_trajectory = _on_thread(Memory.add_trajectory)
    procedures = _on_thread(Memory.procedures)
    feedback = _on_thread(Memory.feedback)
    archive = _on_thread(Memory.archive)
    restore = _on_thread(Memory.restore)
    fade = _on_thread(Memory.fade)
    consolidate = _on_thread(Memory.consolidate)
    answer = _on_thread(Memory.answer)
    usage = _on_thread(Memory.usage)
    jobs = _on_thread(Memory.jobs)
    retry = _on_thread(Memory.retry)
    run_jobs = _on_thread(Memory.run_jobs)
    history = _on_thread(Memory.history)
    lineage = _on_thread(Memory.lineage)
    timeline = _on_thread(Memory.timeline)
    entities = _on_thread(Memory.entities)
    entity = _on_thread(Memory.entity)
    profile = _on_thread(Memory.profile)
    ping = _on_thread(Memory.ping)
    load_models = _on_thread(Memory.load_models)
    stats = _on_thread(Memory.stats)
    export = _on_thread(Memory.export)
    import_ = _on_thread(Memory.import_)
    reindex = _on_thread(Memory.reindex)
    close = _on_thread(Memory.close)

    async def __aenter__(self) -> AsyncMemory:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


# an operation declared after the lines above is still served, untyped until it gets one
for _name in OPERATIONS:
    if _name not in vars(AsyncMemory):
        setattr(AsyncMemory, _name, _on_thread(getattr(Memory, _name)))
