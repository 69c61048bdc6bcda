"""A LangGraph graph whose store is engramdb: it remembers across runs, and recalls by meaning.

Run: python examples/langgraph_store.py [STORE]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any, TypedDict

from langgraph.graph import START, StateGraph
from langgraph.store.base import BaseStore

from engramdb import Memory
from engramdb.integrations.langgraph import EngramStore


class State(TypedDict):
    """One turn of a user."""

    user: str
    said: str
    recalled: list[str]


def remember(state: State, *, store: BaseStore) -> dict[str, Any]:
    """Store what the user said; recall what is related to it."""
    namespace = ("memories", state["user"])
    store.put(
        namespace, f"turn-{len(store.search(namespace, limit=1000))}", {"text": state["said"]}
    )
    hits = store.search(namespace, query=state["said"], limit=3)
    return {"recalled": [f"{h.value['text']}  (why: {', '.join(h.why)})" for h in hits]}  # type: ignore[attr-defined]


def main(path: Path) -> None:
    """Two runs of a one-node graph, the second recalling the first."""
    builder = StateGraph(State)
    builder.add_node("remember", remember)
    builder.add_edge(START, "remember")
    with Memory.open(path) as mem:
        graph = builder.compile(store=EngramStore(mem))
        graph.invoke({"user": "ana", "said": "I adopted a cat named Miso", "recalled": []})
        out = graph.invoke({"user": "ana", "said": "What is my cat called?", "recalled": []})
    for line in out["recalled"]:
        print(line)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp) / "graph.db")
