"""Export / import are lossless; re-embedding and embedder mismatch."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from engramdb import Conflict, InvalidInput, Memory
from engramdb.testing import FrozenClock, HashEmbedder
from engramdb.testing.conformance._support import say


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


def _canonical(record: dict) -> str:  # type: ignore[type-arg]
    return json.dumps(record, sort_keys=True)


def test_import_of_export_reproduces_the_store(
    mem: Memory, tmp_path: Path, clock: FrozenClock
) -> None:
    _populate(mem, clock)
    first = io.StringIO()
    total = mem.stats()["memories"]
    assert mem.export(first) == total
    first.seek(0)
    with Memory.open(tmp_path / "b.db", embedder=HashEmbedder(), clock=clock) as target:
        assert target.import_(first) == total
        assert target.profile("Ana", user_id="u").as_dict()["home"] == "Lisbon"
        second = io.StringIO()
        target.export(second)
        hits = target.search("Lisbon", user_id="u")
        assert [s.text for s in hits[0].sources] == ["I live in Lisbon"]
    # the same records (a backend may list the mentions of its graph in any order)
    assert sorted(map(_canonical, _lines(first))) == sorted(map(_canonical, _lines(second)))
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


def test_import_refuses_existing_ids_and_changes_nothing(mem: Memory, clock: FrozenClock) -> None:
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
