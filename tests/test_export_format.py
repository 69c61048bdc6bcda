"""The export format is versioned on its own: a version-2 file reads and writes back the same.

``tests/data/export_v2.jsonl`` is an export made by version 2 of the format (memories
of every status with their vectors, their events, entities, mentions and relations).
A change to the records that would change what an export holds fails here; it needs
a new format version, and reading the old one.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from engramdb import Memory, MemoryRecord, wire
from engramdb.portable import FORMAT_VERSION, READABLE_VERSIONS
from engramdb.testing import HashEmbedder

EXPORT_V2 = Path(__file__).parent / "data" / "export_v2.jsonl"


def _records(text: str) -> list[str]:
    return sorted(json.dumps(json.loads(line), sort_keys=True) for line in text.splitlines())


def _round_trip() -> str:
    with Memory.open(":memory:", embedder=HashEmbedder(16), understand=False) as mem:
        assert mem.import_(io.StringIO(EXPORT_V2.read_text())) == 5
        out = io.StringIO()
        mem.export(out)
    return out.getvalue()


def test_a_version_2_export_is_read_and_written_back_unchanged() -> None:
    assert FORMAT_VERSION == 2 and 2 in READABLE_VERSIONS
    assert _records(_round_trip()) == _records(EXPORT_V2.read_text())


def test_a_changed_wire_shape_leaves_the_export_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def renamed(memory: MemoryRecord) -> dict[str, Any]:
        return {"memory_id": memory.id}

    monkeypatch.setitem(wire._CODECS, MemoryRecord, (renamed, wire._CODECS[MemoryRecord][1]))
    with Memory.open(":memory:", embedder=HashEmbedder(16), understand=False) as mem:
        (stored,) = mem.add("hello", user_id="u")
        assert wire.to_wire(stored, MemoryRecord) == {"memory_id": stored.id}
    assert _records(_round_trip()) == _records(EXPORT_V2.read_text())
