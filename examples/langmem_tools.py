"""LangMem's memory tools, storing in engramdb through the LangGraph store.

Run: python examples/langmem_tools.py [STORE]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from langmem import create_manage_memory_tool, create_search_memory_tool

from engramdb import Memory
from engramdb.integrations.langgraph import EngramStore


def main(path: Path) -> None:
    """Create a memory with LangMem's manage tool, find it with its search tool."""
    with Memory.open(path) as mem:
        store = EngramStore(mem)
        namespace = ("memories", "{user_id}")  # LangMem fills it in from the run's config
        manage = create_manage_memory_tool(namespace=namespace, store=store)
        search = create_search_memory_tool(namespace=namespace, store=store)
        config = {"configurable": {"user_id": "ana"}}
        print(manage.invoke({"content": "Ana prefers aisle seats on flights"}, config))
        print(search.invoke({"query": "Which seat does Ana like?"}, config))  # JSON of the items


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp) / "langmem.db")
