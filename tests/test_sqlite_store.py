"""SQLite specifics: ANN for large scopes, index persistence and rebuild, locking, durability."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from engramdb import BackendUnavailable, Memory, MigrationError, StoreLocked
from engramdb.backends.sqlite.store import SQLiteStore
from engramdb.engine import Memory as Engine
from engramdb.model.memory import Scope
from engramdb.retrieval.retriever import RetrievalSettings
from engramdb.testing import HashEmbedder

ROOT = Path(__file__).resolve().parents[1]


def _open_small(path: Path | str, threshold: int = 50) -> Engine:
    store = SQLiteStore(str(path), dimensions=64, exact_threshold=threshold)
    # no neighbouring turns: these tests check which memories the indexes find
    settings = RetrievalSettings(neighbour_window=0, dense_weight=0.6)  # hashed vectors tie often
    return Engine(store, HashEmbedder(), retrieval=settings)


def _fill(mem: Engine, n: int, user: str = "u") -> None:
    topics = ["apple orchard", "river kayak", "jazz piano", "mountain hike", "chess club"]
    mem.add([{"content": f"note {i} about {topics[i % 5]}"} for i in range(n)], user_id=user)


def test_ann_path_matches_exact_search(tmp_path: Path) -> None:
    ann = _open_small(tmp_path / "ann.db", threshold=50)
    exact = _open_small(tmp_path / "exact.db", threshold=10_000)
    for mem in (ann, exact):
        _fill(mem, 400)
        _fill(mem, 30, user="other")
    query = HashEmbedder().embed("jazz piano")
    got = ann.store.vector_search(query, Scope("u"), None, 10)  # type: ignore[attr-defined]
    want = exact.store.vector_search(query, Scope("u"), None, 10)  # type: ignore[attr-defined]
    assert ann.stats()["ann_vectors"] == 430 and exact.stats()["ann_vectors"] == 0
    assert [round(s, 5) for _, s in got] == [round(s, 5) for _, s in want]
    small_scope = ann.store.vector_search(query, Scope("other"), None, 50)  # type: ignore[attr-defined]
    assert len(small_scope) == 30
    for mem in (ann, exact):
        mem.close()


@pytest.mark.parametrize("mine", [3, 40])  # a small share of the store, a large one
def test_lexical_search_finds_a_scope_whose_matches_rank_below_another_s(
    tmp_path: Path, mine: int
) -> None:
    mem = _open_small(tmp_path / "m.db")
    # another user's notes outrank this user's on every word, far beyond the first depth
    mem.add([{"content": "kayak kayak river kayak"} for _ in range(200)], user_id="other")
    mem.add([{"content": f"a kayak trip, day {i}"} for i in range(mine)], user_id="u")
    store = mem.store
    best = store.keyword_search(["kayak"], Scope("u"), None, 2)  # type: ignore[attr-defined]
    every = store.keyword_search(["kayak"], Scope("u"), None, 50)  # type: ignore[attr-defined]
    assert len(best) == 2 and len(every) == mine
    assert best == every[:2]  # the best two of the scope, in the order of the full ranking
    theirs = store.keyword_search(["kayak"], Scope("other"), None, 5)  # type: ignore[attr-defined]
    assert len(theirs) == 5 and {i for i, _ in theirs}.isdisjoint(i for i, _ in every)
    mem.close()


def test_ann_index_is_persisted_and_rebuilt_when_stale(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    mem = _open_small(path)
    _fill(mem, 200)
    mem.close()
    sidecar = path.with_name("m.db.usearch")
    assert sidecar.exists()
    mtime = sidecar.stat().st_mtime_ns
    mem = _open_small(path)
    assert mem.stats()["ann_vectors"] == 200 and sidecar.stat().st_mtime_ns == mtime  # loaded
    mem.close()
    with sqlite3.connect(path) as conn:  # another writer deleted rows behind the index's back
        conn.execute("DELETE FROM vectors WHERE rid <= 10")
    mem = _open_small(path)
    assert mem.stats()["ann_vectors"] == 190  # rebuilt from the blobs
    mem.close()
    sidecar.unlink()
    mem = _open_small(path)
    assert mem.stats()["ann_vectors"] == 190
    hits = mem.search("kayak", user_id="u", k=5)
    assert all("kayak" in h.memory.text for h in hits)
    mem.close()


def test_second_writer_process_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Memory.open(path, embedder=HashEmbedder()) as mem:
        mem.add("x", user_id="u")
        code = textwrap.dedent(f"""
            from engramdb import Memory, StoreLocked
            from engramdb.testing import HashEmbedder
            try:
                Memory.open({str(path)!r}, embedder=HashEmbedder())
            except StoreLocked as exc:
                print("LOCKED", exc.holder_pid)
            with Memory.open({str(path)!r}, embedder=HashEmbedder(), read_only=True) as ro:
                print("READ", len(ro.get_all(user_id="u").memories))
        """)
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
    assert f"LOCKED {os.getpid()}" in out.stdout
    assert "READ 1" in out.stdout


def test_same_process_second_open_is_refused_too(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m.db", embedder=HashEmbedder()), pytest.raises(StoreLocked):
        Memory.open(tmp_path / "m.db", embedder=HashEmbedder())


@pytest.mark.parametrize("link", ["symlink", "hardlink", "relative"])
def test_a_second_name_for_the_same_file_is_refused(tmp_path: Path, link: str) -> None:
    path = tmp_path / "m.db"
    with Memory.open(path, embedder=HashEmbedder()) as mem:
        mem.add("x", user_id="u")
        other = tmp_path / "sub" / "other.db"
        other.parent.mkdir()
        if link == "symlink":
            other.symlink_to(path)
        elif link == "hardlink":
            other.hardlink_to(path)
        else:
            other = tmp_path / "sub" / ".." / "m.db"
        with pytest.raises(StoreLocked):
            Memory.open(other, embedder=HashEmbedder())
        assert mem.get_all(user_id="u").memories  # the first writer is unharmed
    with Memory.open(other, embedder=HashEmbedder()) as again:  # free once closed
        assert len(again.get_all(user_id="u").memories) == 1


def test_kill_9_during_bulk_import_loses_no_acknowledged_write(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    log = tmp_path / "acked.txt"
    code = textwrap.dedent(f"""
        import sys
        from engramdb import Memory
        from engramdb.testing import HashEmbedder
        mem = Memory.open({str(path)!r}, embedder=HashEmbedder())
        with open({str(log)!r}, "a") as acked:
            for batch in range(100000):
                messages = [{{"content": f"b{{batch}} m{{i}}"}} for i in range(50)]
                stored = mem.add(messages, user_id="u")
                acked.write(stored[-1].id + "\\n")
                acked.flush()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.time() + 60
    while time.time() < deadline and (not log.exists() or len(log.read_text().splitlines()) < 20):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    acked = log.read_text().split()
    assert len(acked) >= 20
    with Memory.open(path, embedder=HashEmbedder()) as mem:
        for memory_id in acked:
            assert mem.get(memory_id).scope.user_id == "u"
        count = mem.stats()["memories"]
        assert count % 50 == 0 and count >= 50 * len(acked)  # whole batches only
        assert mem.stats()["vectors"] == count
        assert mem.search("m7", user_id="u", k=3)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    Memory.open(path, embedder=HashEmbedder()).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x', 'now')")
    with pytest.raises(MigrationError, match="newer"):
        Memory.open(path, embedder=HashEmbedder())


def test_garbage_file_and_missing_directory(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(BackendUnavailable):
        Memory.open(junk, embedder=HashEmbedder())
    with pytest.raises(BackendUnavailable):
        Memory.open(tmp_path / "no" / "such" / "dir.db", embedder=HashEmbedder())
    with pytest.raises(BackendUnavailable):
        Memory.open(tmp_path / "absent.db", embedder=HashEmbedder(), read_only=True)


def test_vectors_are_float32_blobs(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Memory.open(path, embedder=HashEmbedder()) as mem:
        mem.add("hello world", user_id="u")
    with sqlite3.connect(path) as conn:
        blob = conn.execute("SELECT vector FROM vectors").fetchone()[0]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    vector = np.frombuffer(blob, dtype="<f4")
    assert vector.shape == (64,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-5
    assert mode == "wal"


@pytest.mark.parametrize(
    ("condition", "index"),
    [
        ("m.kind = 'summary'", "memories_user (user_id=? AND status=? AND kind=?)"),
        ("m.occurred_at >= '2023-05-01' AND m.occurred_at < '2023-06-01'", "memories_user_time"),
    ],
)
def test_gists_and_time_windows_of_a_scope_are_found_by_index(
    tmp_path: Path, condition: str, index: str
) -> None:
    # a search counts these in a scope of any size: a scan there cost 0.2 s at 1M memories
    store = SQLiteStore(str(tmp_path / "plan.db"), dimensions=64)
    plan = store._conn.execute(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM memories m"
        f" WHERE m.user_id = 'u' AND m.status = 'active' AND {condition}"
    ).fetchall()
    store.close()
    assert any(index in row[-1] for row in plan), plan
