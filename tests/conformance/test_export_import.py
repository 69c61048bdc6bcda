"""Export / import are lossless; re-embedding and embedder mismatch."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from tests.conftest import say

from engramdb import Conflict, EmbedderMismatch, InvalidInput, Memory
from engramdb.testing import HashEmbedder


def _populate(mem: Memory, clock) -> None:  # type: ignore[no-untyped-def]
    mem.add(
        [say("Ana", "I live in Lisbon"), say("Ben", "I live in Oslo")],
        user_id="u",
        session_id="s1",
        metadata={"source": "chat"},
    )
    keep = mem.add("to be updated", user_id="u", session_id="s2")[0]
    gone = mem.add("to be deleted", agent_id="bot")[0]
    clock.advance(hours=1)
    mem.update(keep.id, text="updated text", metadata={"v": 2})
    mem.delete(gone.id)


def _lines(buffer: io.StringIO) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_import_of_export_reproduces_the_store(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    with Memory.open(tmp_path / "a.db", embedder=HashEmbedder(), clock=clock) as source:
        _populate(source, clock)
        first = io.StringIO()
        total = source.stats()["memories"]
        assert source.export(first) == total
    first.seek(0)
    with Memory.open(tmp_path / "b.db", embedder=HashEmbedder(), clock=clock) as target:
        assert target.import_(first) == total
        assert target.profile("Ana", user_id="u").as_dict()["home"] == "Lisbon"
        second = io.StringIO()
        target.export(second)
        hits = target.search("Lisbon", user_id="u")
        assert [s.text for s in hits[0].sources] == ["I live in Lisbon"]
    assert _lines(first) == _lines(second)
    kinds = [r["kind"] for r in _lines(second) if r["type"] == "event"]
    assert kinds.count("update") == 1 and kinds.count("delete") == 1
    assert {r["type"] for r in _lines(second)} == {
        "header",
        "memory",
        "event",
        "entity",
        "mention",
        "relation",
    }


def test_import_refuses_existing_ids_and_changes_nothing(mem: Memory, clock) -> None:  # type: ignore[no-untyped-def]
    _populate(mem, clock)
    buffer = io.StringIO()
    mem.export(buffer)
    buffer.seek(0)
    before = mem.stats()
    with pytest.raises(Conflict):
        mem.import_(buffer)
    assert mem.stats() == before


@pytest.mark.parametrize(
    "text",
    [
        "",
        '{"format": "other"}\n',
        '{"type": "header", "format": "engramdb", "version": 99}\n',
        '{"type": "header", "format": "engramdb", "version": 1}\n{"type": "memory"}\n',
    ],
)
def test_import_rejects_malformed_files(mem: Memory, text: str) -> None:
    with pytest.raises(InvalidInput):
        mem.import_(io.StringIO(text))
    assert mem.stats()["memories"] == 0


def test_import_reembeds_when_the_model_differs(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    with Memory.open(tmp_path / "a.db", embedder=HashEmbedder(32), clock=clock) as source:
        source.add("the quick brown fox", user_id="u")
        buffer = io.StringIO()
        source.export(buffer)
    buffer.seek(0)
    with Memory.open(tmp_path / "b.db", embedder=HashEmbedder(48), clock=clock) as target:
        target.import_(buffer)
        assert target.search("fox", user_id="u")[0].why[0].name in {"lexical", "dense"}
        assert target.stats()["vectors"] == 1


def test_embedder_change_is_refused_then_reindexed(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Memory.open(path, embedder=HashEmbedder(32)) as mem:
        mem.add("the quick brown fox", user_id="u")
    with pytest.raises(EmbedderMismatch, match="hash:32"):
        Memory.open(path, embedder=HashEmbedder(48))
    with Memory.open(path, embedder=HashEmbedder(48), reindex=True) as mem:
        assert mem.stats()["embedder"] == "hash:48"
        hits = mem.search("fox", user_id="u")
        assert any(s.name == "dense" for s in hits[0].why)
    with Memory.open(path, embedder=HashEmbedder(48)) as mem:  # recorded: opens cleanly now
        assert mem.stats()["memories"] == 1
