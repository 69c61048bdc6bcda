"""The Mem0 drop-in runs Mem0's documented quick-start calls unchanged, with Mem0's shapes.

The calls are those of Mem0's Python quick-start (docs.mem0.ai/open-source/python-quickstart)
and of its earlier quick-start (add with metadata, get_all, get, search, update, history,
delete, delete_all, reset), with only the import changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engramdb.compat.mem0 import Memory

ITEM_KEYS = {"id", "memory", "hash", "created_at", "updated_at"}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``Memory()`` keeps its store under the home directory: a fresh one per test."""
    monkeypatch.setattr("engramdb.compat.mem0.DEFAULT_PATH", tmp_path / ".engramdb" / "mem0.db")
    return tmp_path


@pytest.mark.model
def test_the_current_quick_start(home: Path) -> None:
    m = Memory()
    messages = [
        {"role": "user", "content": "Hi, I'm Alex. I love basketball and gaming."},
        {"role": "assistant", "content": "Hey Alex! I'll remember your interests."},
    ]
    m.add(messages, user_id="alex")
    results = m.search("What do you know about me?", filters={"user_id": "alex"})
    assert set(results) == {"results"}
    top = results["results"][0]
    assert ITEM_KEYS | {"score", "user_id"} <= set(top)
    assert top["user_id"] == "alex" and isinstance(top["score"], float)
    assert any("basketball" in r["memory"] for r in results["results"])
    assert (home / ".engramdb" / "mem0.db").exists()
    m.close()


@pytest.mark.model
def test_the_earlier_quick_start(home: Path) -> None:
    m = Memory()
    messages = [
        {"role": "user", "content": "I'm planning to watch a movie tonight. Any recommendations?"},
        {"role": "assistant", "content": "How about thriller movies? They can be quite engaging."},
        {
            "role": "user",
            "content": "I'm not a big fan of thriller movies but I love sci-fi movies.",
        },
        {"role": "assistant", "content": "Got it! I'll avoid thrillers and suggest sci-fi movies."},
    ]
    added = m.add(messages, user_id="alice", metadata={"category": "movie_recommendations"})
    assert added["results"] and all(r["event"] == "ADD" for r in added["results"])
    assert all(set(r) >= ITEM_KEYS for r in added["results"])

    all_memories = m.get_all(user_id="alice")
    assert all_memories["results"], all_memories
    memory_id = all_memories["results"][0]["id"]
    single = m.get(memory_id)
    assert single is not None and single["id"] == memory_id
    assert single["metadata"] == {"category": "movie_recommendations"}

    related = m.search(query="What movies does alice like?", user_id="alice")
    assert any("sci-fi" in r["memory"] for r in related["results"])

    result = m.update(memory_id=memory_id, data="I love India, it is my favorite country.")
    assert result == {"message": "Memory updated successfully!"}
    assert m.get(memory_id)["memory"] == "I love India, it is my favorite country."  # type: ignore[index]
    assert m.get(memory_id)["updated_at"] is not None  # type: ignore[index]

    history = m.history(memory_id=memory_id)
    assert [h["event"] for h in history] == ["ADD", "UPDATE"]
    assert history[1]["new_memory"] == "I love India, it is my favorite country."
    assert {"id", "memory_id", "old_memory", "new_memory", "created_at", "is_deleted"} <= set(
        history[1]
    )

    assert m.delete(memory_id=memory_id) == {"message": "Memory deleted successfully!"}
    assert m.get(memory_id) is None
    assert m.delete_all(user_id="alice") == {"message": "Memories deleted successfully!"}
    assert m.get_all(user_id="alice") == {"results": []}

    m.add("I live in Porto", user_id="bob", infer=False)
    m.reset()
    assert m.get_all(user_id="bob") == {"results": []}
    m.close()


def test_infer_false_keeps_the_messages_as_said(tmp_path: Path) -> None:
    from engramdb import Memory as Engine
    from engramdb.testing import HashEmbedder

    m = Memory(Engine.open(tmp_path / "m.db", embedder=HashEmbedder()))
    said = m.add([{"role": "user", "content": "I moved to Lisbon"}], user_id="u", infer=False)
    assert [r["memory"] for r in said["results"]] == ["I moved to Lisbon"]
    inferred = m.add([{"role": "user", "content": "I adopted a cat named Miso"}], user_id="u")
    assert any(
        "Miso" in r["memory"] and r["memory"] != "I adopted a cat named Miso"
        for r in inferred["results"]
    )  # fmt: skip  (a fact: "User adopted ...")
    run = m.add("note for this run", agent_id="bot", run_id="r1", infer=False)["results"][0]
    assert run["agent_id"] == "bot" and run["run_id"] == "r1"
    with pytest.raises(ValueError, match="unknown arguments"):
        m.search("x", user_id="u", rerank=True)
    m.close()
