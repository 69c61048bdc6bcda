"""Forgetting in simulated time: retention, archive / restore, TTL, and real erasure."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from tests.conftest import T0, say

from engramdb import InvalidInput, Memory, MemoryStatus, NotFound
from engramdb.backends.sqlite.store import SQLiteStore
from engramdb.model.retention import initial_strength, retention
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.testing import FrozenClock, HashEmbedder


@pytest.fixture
def fmem(tmp_path: Path, clock: FrozenClock) -> Memory:
    with Memory.open(tmp_path / "f.db", embedder=HashEmbedder(), clock=clock) as memory:
        yield memory  # type: ignore[misc]


def test_a_memory_used_every_few_days_outlives_an_identical_unused_one(
    fmem: Memory, clock: FrozenClock
) -> None:
    used = fmem.add("I keep my passport in the blue drawer", user_id="u", session_id="a")[0]
    unused = fmem.add("I keep my passport in the blue drawer", user_id="u", session_id="b")[0]
    for _ in range(50):  # 150 days, the first one recalled every third day
        clock.advance(days=3)
        assert fmem.feedback([used.id]) == 1
    assert retention(fmem.get(used.id), clock.now()) > 0.9
    assert retention(fmem.get(unused.id), clock.now()) < 0.05
    faded = fmem.fade(user_id="u")
    assert fmem.get(used.id).status is MemoryStatus.ACTIVE
    assert fmem.get(unused.id).status is MemoryStatus.ARCHIVED
    archived = fmem.get_all(user_id="u", filters={"status": "archived"}, include_inactive=True)
    assert faded == {"archived": len(archived.memories), "expired": 0}
    assert unused.id in {m.id for m in archived.memories} and used.id not in {
        m.id for m in archived.memories
    }
    hits = fmem.search("where is my passport?", user_id="u")
    assert [h.memory.id for h in hits] == [used.id]
    assert any(signal.name == "retention" for signal in hits[0].why)
    assert fmem.fade(user_id="u") == {"archived": 0, "expired": 0}  # nothing left to fade


def test_an_archived_memory_is_kept_and_restorable(fmem: Memory, clock: FrozenClock) -> None:
    kept = fmem.add("My locker code is 4512", user_id="u")[0]
    archived = fmem.archive(kept.id)
    assert archived.status is MemoryStatus.ARCHIVED and archived.text == kept.text
    assert fmem.search("locker code", user_id="u") == []
    assert fmem.get_all(user_id="u").memories == []
    listed = fmem.get_all(user_id="u", include_inactive=True).memories
    assert kept.id in {m.id for m in listed}  # with the fact drawn from it, archived too
    assert {m.status for m in listed} == {MemoryStatus.ARCHIVED}
    clock.advance(days=400)
    restored = fmem.restore(kept.id)
    assert restored.status is MemoryStatus.ACTIVE and restored.last_used_at == clock.now()
    found = fmem.search("locker code", user_id="u")
    assert kept.id in {s.id for h in found for s in h.sources}
    assert [e.kind.value for e in fmem.history(kept.id)] == ["add", "archive", "restore"]
    with pytest.raises(NotFound):
        fmem.for_tenant("other").archive(kept.id)


def test_important_and_charged_memories_start_stronger(fmem: Memory) -> None:
    plain = fmem.add("We had soup for lunch", user_id="u")[0]
    charged = fmem.add("My sister got married today, I cried!", user_id="u")[0]
    important = fmem.add("My blood type is A negative", user_id="u", importance=1.0)[0]
    assert initial_strength(charged) > initial_strength(plain)
    assert initial_strength(important) > initial_strength(plain)
    with pytest.raises(InvalidInput):
        fmem.add("x", user_id="u", importance=2)


def test_ttl_memories_are_not_recalled_after_expiry_and_fade_deletes_them(
    fmem: Memory, clock: FrozenClock
) -> None:
    stored = fmem.add(
        [say("Ana", "My one-time door code is 7781")],
        user_id="u",
        expires_at=T0 + timedelta(hours=1),
    )[0]
    assert fmem.search("door code", user_id="u")
    clock.advance(hours=2)
    assert fmem.search("door code", user_id="u") == []
    assert fmem.fade(user_id="u")["expired"] >= 1
    with pytest.raises(NotFound):
        fmem.get(stored.id)
    assert fmem.get_all(user_id="u", include_inactive=True).memories == []


def test_context_counts_as_use(fmem: Memory, clock: FrozenClock) -> None:
    stored = fmem.add("I keep my bike in the garage", user_id="u")[0]
    clock.advance(days=10)
    fmem.context("Where is my bike?", user_id="u", budget_tokens=100)
    assert fmem.get(stored.id).last_used_at == clock.now()
    clock.advance(days=1)
    fmem.context("Where is my bike?", user_id="u", budget_tokens=100, reinforce=False)
    assert fmem.get(stored.id).last_used_at == clock.now() - timedelta(days=1)


def _store_bytes(path: Path) -> bytes:
    """Every file of the store: the database, its journal, and both sidecars' files."""
    beside = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
    files = [f for p in beside for f in ([p] if p.is_file() else sorted(p.rglob("*")))]
    return b"".join(f.read_bytes() for f in files if f.is_file())


def test_forget_a_user_leaves_no_trace_in_the_store_files(tmp_path: Path) -> None:
    path = tmp_path / "forget.db"
    # ANN from 6 memories, the text sidecar from the first
    store = SQLiteStore(str(path), dimensions=64, exact_threshold=5, text_index_threshold=0)
    with Memory(store, HashEmbedder(), parser=RulesParser()) as mem:
        for i in range(12):  # enough for the ANN sidecar to be written
            mem.add([say("Zorblax", f"I hid the quixotic{i} treasure in Vlorgistan")], user_id="a")
            mem.add([say("Bob", f"My cat Wimbleton likes tuna{i}")], user_id="b")
        mem.search("treasure", user_id="a")  # builds and saves the ANN index
        vectors = mem.store.vectors_of([m.id for m in mem.get_all(user_id="a").memories])
        assert mem.entities(user_id="a")
        assert mem.forget(user_id="a") >= 12
        assert mem.get_all(user_id="a", include_inactive=True).memories == []
        assert mem.entities(user_id="a") == []
        assert mem.search("treasure", user_id="a") == []
        assert len(mem.get_all(user_id="b").memories) >= 12
        tombstone = mem.history(next(iter(vectors)))[-1]
        assert tombstone.kind.value == "delete" and tombstone.after is None
    raw = _store_bytes(path)
    for secret in (b"quixotic", b"Vlorgistan", b"Zorblax", b"treasure"):
        assert secret not in raw, secret
    for vector in vectors.values():
        assert vector.astype("<f4").tobytes() not in raw
    assert b"Wimbleton" in raw


def test_delete_all_of_a_user_leaves_no_word_in_the_store_files(tmp_path: Path) -> None:
    path = tmp_path / "delete.db"
    with Memory.open(path, embedder=HashEmbedder(), parser=RulesParser()) as mem:
        for i in range(200):  # enough FTS5 segments that deleted terms would stay in them
            mem.add([say("Zorblax", f"I hid the quixotic{i} treasure in Vlorgistan")], user_id="a")
            mem.add([say("Bob", f"My cat Wimbleton likes tuna{i}")], user_id="b")
        assert mem.delete_all(user_id="a") >= 200
        assert mem.search("treasure Vlorgistan", user_id="a") == []
    raw = _store_bytes(path)
    for secret in (b"quixotic", b"Vlorgistan", b"Zorblax", b"treasure"):
        assert secret not in raw, secret
    assert b"Wimbleton" in raw


def test_forget_one_memory_and_bad_arguments(fmem: Memory) -> None:
    stored = fmem.add("forget me", user_id="u")[0]
    assert fmem.forget(stored.id) == 1
    with pytest.raises(NotFound):
        fmem.get(stored.id)
    for bad in ({}, {"memory_id": stored.id, "user_id": "u"}):
        with pytest.raises(InvalidInput):
            fmem.forget(**bad)  # type: ignore[arg-type]
