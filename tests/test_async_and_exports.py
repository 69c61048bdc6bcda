"""AsyncMemory delegates to the sync engine; the public API is what __all__ says."""

from __future__ import annotations

import asyncio
import contextlib
import inspect

import engramdb
from engramdb import AsyncMemory, Memory, NotFound
from engramdb.testing import HashEmbedder


def test_async_memory_mirrors_the_sync_api() -> None:
    public = {n for n, _ in inspect.getmembers(Memory, inspect.isfunction) if not n.startswith("_")}
    mirrored = public - {"open", "for_tenant"}  # cheap, synchronous in both
    assert inspect.signature(AsyncMemory.for_tenant).parameters.keys() == {"self", "tenant_id"}
    for name in mirrored:
        method = getattr(AsyncMemory, name)
        assert inspect.iscoroutinefunction(method), name
        assert inspect.signature(method) == inspect.signature(getattr(Memory, name)), name


def test_async_roundtrip() -> None:
    async def scenario() -> list[str]:
        async with await AsyncMemory.open(":memory:", embedder=HashEmbedder()) as mem:
            stored = await mem.add("I play the cello", user_id="u")
            results = await asyncio.gather(*(mem.search("cello", user_id="u") for _ in range(5)))
            await mem.delete(stored[0].id)
            with contextlib.suppress(NotFound):
                await mem.get(stored[0].id)
                raise AssertionError("deleted memory still readable")
            return [hits[0].memory.text for hits in results]

    assert asyncio.run(scenario()) == ["I play the cello"] * 5


def test_exports_are_declared_and_documented() -> None:
    for name in engramdb.__all__:
        obj = getattr(engramdb, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__, name
    assert set(engramdb.__all__) == {n for n in dir(engramdb) if not n.startswith("_")} - {
        "aio",
        "api",
        "api_schema",
        "engine",
        "errors",
        "model",
        "ports",
        "retrieval",
        "pipeline",
        "facade",
        "compat",
        "integrations",
        "graph",
        "jobs",
        "registry",
        "wiring",
        "backends",
        "providers",
        "types",
        "portable",
        "testing",
        "eval",
        "cli",
        "importers",
        "keys",
        "client",
        "server",
        "wire",
        "mcp_server",
        "migrate",
        "enhancer",
        "answering",
    } | {"__version__"}
