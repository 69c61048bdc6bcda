"""A store embedded with one model, opened or imported with another (SQLite files)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from engramdb import EmbedderMismatch, Memory
from engramdb.testing import FrozenClock, HashEmbedder


def test_import_reembeds_when_the_model_differs(tmp_path: Path, clock: FrozenClock) -> None:
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
