"""EngramStore behaves as LangGraph's own stores do, and serves a LangGraph graph.

The behaviours are those of LangGraph's ``InMemoryStore`` (its store tests): get, put,
update and delete; search by namespace prefix with value filters, limits and offsets;
natural-language search; namespaces listed by prefix, suffix, wildcards and depth.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any, TypedDict

import pytest

pytest.importorskip("langgraph")

from langgraph.graph import START, StateGraph
from langgraph.store.base import BaseStore, InvalidNamespaceError

from engramdb import Memory
from engramdb.integrations.langgraph import EngramSearchItem, EngramStore
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.testing import HashEmbedder


@pytest.fixture
def store() -> Iterator[EngramStore]:
    with Memory.open(":memory:", embedder=HashEmbedder(), parser=RulesParser()) as mem:
        yield EngramStore(mem)


def test_put_get_update_delete(store: EngramStore) -> None:
    assert store.get(("docs",), "a") is None
    store.put(("docs",), "a", {"text": "first draft", "n": 1})
    item = store.get(("docs",), "a")
    assert item is not None and item.value == {"text": "first draft", "n": 1}
    assert item.namespace == ("docs",) and item.key == "a"
    store.put(("docs",), "a", {"text": "second draft", "n": 2})
    again = store.get(("docs",), "a")
    assert again is not None and again.value["n"] == 2
    assert again.created_at == item.created_at and again.updated_at >= item.updated_at
    store.put(("other",), "a", {"text": "another namespace"})
    assert store.get(("docs",), "a").value["n"] == 2  # type: ignore[union-attr]
    store.delete(("docs",), "a")
    assert store.get(("docs",), "a") is None
    assert store.get(("other",), "a") is not None


def test_an_update_keeps_the_old_value_in_history(store: EngramStore) -> None:
    store.put(("docs",), "a", {"text": "I live in Porto"})
    store.put(("docs",), "a", {"text": "I live in Lisbon"})
    (memory,) = [m for m in store.memory.get_all(agent_id="langgraph") if m.kind.value == "episode"]
    texts = [(e.before or {}).get("text") for e in store.memory.history(memory.id)]
    assert "I live in Porto" in texts


def test_namespaces_must_be_valid(store: EngramStore) -> None:
    with pytest.raises(InvalidNamespaceError):
        store.put((), "a", {"x": 1})
    with pytest.raises(InvalidNamespaceError):
        store.put(("has.dot",), "a", {"x": 1})


def test_search_by_prefix_filter_limit_and_offset(store: EngramStore) -> None:
    for i in range(6):
        kind = "report" if i % 2 == 0 else "note"
        store.put(("docs", "team"), f"k{i}", {"type": kind, "rank": i, "meta": {"lang": "en"}})
    store.put(("mail",), "m", {"type": "report", "rank": 9})
    reports = store.search(("docs",), filter={"type": "report"})
    assert [r.key for r in reports] == ["k0", "k2", "k4"]
    assert [r.key for r in store.search(("docs",), filter={"rank": {"$gte": 3}})] == [
        "k3",
        "k4",
        "k5",
    ]
    assert [r.key for r in store.search(("docs",), filter={"meta": {"lang": "en"}}, limit=2)] == [
        "k0", "k1",
    ]  # fmt: skip
    assert [r.key for r in store.search(("docs",), limit=2, offset=4)] == ["k4", "k5"]
    assert {r.key for r in store.search((), filter={"type": "report"})} == {"k0", "k2", "k4", "m"}
    assert store.search(("nothing",)) == []


def test_natural_language_search_explains_its_hits(store: EngramStore) -> None:
    store.put(("user", "ana", "memories"), "pet", {"text": "Ana adopted a cat named Miso"})
    store.put(("user", "ana", "memories"), "trip", {"text": "Ana went hiking in the Alps"})
    store.put(("user", "ben", "memories"), "pet", {"text": "Ben has a dog named Rex"})
    hits = store.search(("user", "ana"), query="What is the name of the cat?", limit=2)
    assert hits[0].key == "pet" and hits[0].namespace == ("user", "ana", "memories")
    assert isinstance(hits[0], EngramSearchItem) and hits[0].score is not None
    assert hits[0].why and "why" in hits[0].dict()
    assert all(h.namespace[1] == "ana" for h in hits)


def test_list_namespaces(store: EngramStore) -> None:
    assert store.list_namespaces() == []
    spaces = [("a", "b", "c"), ("a", "b", "d", "e"), ("a", "x", "f"), ("b", "a", "f"), ("u", "1")]
    for i, ns in enumerate(spaces):
        store.put(ns, f"k{i}", {"text": f"item {i}"})
    assert store.list_namespaces(prefix=("a", "b")) == [("a", "b", "c"), ("a", "b", "d", "e")]
    assert store.list_namespaces(suffix=("f",)) == [("a", "x", "f"), ("b", "a", "f")]
    assert store.list_namespaces(prefix=("a", "*", "f")) == [("a", "x", "f")]
    assert store.list_namespaces(suffix=("*", "f")) == [("a", "x", "f"), ("b", "a", "f")]
    assert store.list_namespaces(prefix=("a",), max_depth=2) == [("a", "b"), ("a", "x")]
    assert store.list_namespaces(limit=2, offset=1) == [("a", "b", "d", "e"), ("a", "x", "f")]
    assert store.list_namespaces(prefix=("nope",)) == []


def test_the_async_api(store: EngramStore) -> None:
    async def scenario() -> Any:
        await store.aput(("docs",), "a", {"text": "hello there"})
        got = await store.aget(("docs",), "a")
        found = await store.asearch(("docs",), query="hello")
        await store.adelete(("docs",), "a")
        return got, found, await store.aget(("docs",), "a")

    got, found, gone = asyncio.run(scenario())
    assert got.value == {"text": "hello there"} and found[0].key == "a" and gone is None


class State(TypedDict):
    user: str
    said: str
    recalled: list[str]


def _remember_and_recall(state: State, *, store: BaseStore) -> dict[str, Any]:
    namespace = ("memories", state["user"])
    store.put(namespace, f"m{len(store.search(namespace))}", {"text": state["said"]})
    return {"recalled": [i.value["text"] for i in store.search(namespace, query=state["said"])]}


def test_a_langgraph_graph_uses_it_as_its_store(store: EngramStore) -> None:
    builder = StateGraph(State)
    builder.add_node("remember", _remember_and_recall)
    builder.add_edge(START, "remember")
    graph = builder.compile(store=store)
    graph.invoke({"user": "ana", "said": "I adopted a cat named Miso", "recalled": []})
    out = graph.invoke({"user": "ana", "said": "What is my cat called?", "recalled": []})
    assert "I adopted a cat named Miso" in out["recalled"]
    assert store.list_namespaces() == [("memories", "ana")]


def test_langmem_memory_tools_use_it(store: EngramStore) -> None:
    langmem = pytest.importorskip("langmem")
    namespace = ("memories", "{user_id}")
    manage = langmem.create_manage_memory_tool(namespace=namespace, store=store)
    search = langmem.create_search_memory_tool(namespace=namespace, store=store)
    config = {"configurable": {"user_id": "ana"}}
    created = manage.invoke({"content": "Ana's cat is called Miso", "action": "create"}, config)
    assert created.startswith("created memory")
    found = search.invoke({"query": "What is the cat called?"}, config)
    assert "Miso" in str(found) and store.list_namespaces() == [("memories", "ana")]
