"""A PostgreSQL process's in-memory text index: the answers of SQL, never behind a commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from tests.conftest import fresh_postgres
from tests.test_text_index import NOTES, QUERIES

from engramdb.backends._textindex import TextIndex
from engramdb.backends.postgres.store import PostgresStore
from engramdb.engine import Memory
from engramdb.model.memory import Scope
from engramdb.testing import HashEmbedder


@pytest.fixture
def dsn() -> str:
    return fresh_postgres()


def _memory(dsn: str, threshold: int = 0) -> Memory:
    return Memory(PostgresStore(dsn, dimensions=64, text_index_threshold=threshold), HashEmbedder())


@pytest.fixture
def two(dsn: str) -> Iterator[tuple[Memory, Memory]]:
    """Two processes' stores on one database: one ranks with its index, one with SQL."""
    indexed, plain = _memory(dsn), _memory(dsn, threshold=10**9)
    yield indexed, plain
    indexed.close()
    plain.close()


def _ids(mem: Memory, terms: list[str], user: str = "u", limit: int = 5) -> list[str]:
    return [i for i, _ in mem.store.keyword_search(terms, Scope(user), None, limit)]


def _indexed(mem: Memory) -> bool:
    store = mem.store
    assert isinstance(store, PostgresStore)
    return store.wait_for_text_index(10) and store._text.current(store._rows) is not None


def test_the_index_finds_what_sql_finds_in_scope(two: tuple[Memory, Memory]) -> None:
    indexed, plain = two
    indexed.add([{"content": n} for n in NOTES], user_id="u")
    indexed.add([{"content": n} for n in NOTES[:3]], user_id="other")
    assert _indexed(indexed)
    for terms in QUERIES:
        got, want = _ids(indexed, terms), _ids(plain, terms)
        assert got and set(want) <= set(got), terms  # and accents folded: "cafe" finds "café"
        assert not want or got[0] == want[0], terms
        assert {indexed.get(i).scope.user_id for i in got} == {"u"}
    assert indexed.stats()["text_index"] and not plain.stats()["text_index"]


def test_another_process_write_is_found_at_once_and_then_by_the_index(
    two: tuple[Memory, Memory],
) -> None:
    indexed, plain = two
    indexed.add([{"content": n} for n in NOTES], user_id="u")
    assert _indexed(indexed)
    added = plain.add("A kayaking trip down the Douro", user_id="u")[0]
    assert added.id in _ids(indexed, ["kayaking"])  # SQL until the index has it
    assert _indexed(indexed) and added.id in _ids(indexed, ["kayaking"])
    plain.update(added.id, text="A sailing trip down the Douro")
    assert added.id not in _ids(indexed, ["kayaking"])
    assert _indexed(indexed) and _ids(indexed, ["sailing"]) == [added.id]
    plain.delete(added.id)
    assert _ids(indexed, ["sailing"]) == []
    assert _indexed(indexed) and _ids(indexed, ["sailing"]) == []


def test_a_transaction_that_commits_late_is_not_skipped(two: tuple[Memory, Memory]) -> None:
    """A write begun before another commits, and committed after the index caught up."""
    indexed, plain = two
    indexed.add([{"content": n} for n in NOTES], user_id="u")
    assert _indexed(indexed)
    began, release = threading.Event(), threading.Event()

    def slow_write() -> None:
        with plain.store.atomic():
            plain.add("An early note about the glacier", user_id="w")  # writes to a scope wait
            began.set()
            assert release.wait(10)

    writer = threading.Thread(target=slow_write)
    writer.start()
    assert began.wait(10)
    indexed.add("A later note about the volcano", user_id="u")
    assert _indexed(indexed)  # caught up past the later write, the early one still open
    assert _ids(indexed, ["volcano"]) and _ids(indexed, ["glacier"], user="w") == []
    release.set()
    writer.join()
    assert len(_ids(indexed, ["glacier"], user="w")) == 1  # SQL at once
    assert _indexed(indexed) and len(_ids(indexed, ["glacier"], user="w")) == 1


def test_a_rolled_back_write_never_reaches_the_index(two: tuple[Memory, Memory]) -> None:
    indexed, plain = two
    indexed.add([{"content": n} for n in NOTES], user_id="u")

    def write_and_fail() -> None:
        with plain.store.atomic():
            plain.add("A note about the glacier", user_id="u")
            raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError):
        write_and_fail()
    assert _indexed(indexed) and _ids(indexed, ["glacier"]) == []


def test_a_search_inside_a_write_sees_its_own_rows(two: tuple[Memory, Memory]) -> None:
    indexed, _ = two
    indexed.add([{"content": n} for n in NOTES], user_id="u")
    assert _indexed(indexed)
    with indexed.store.atomic():
        added = indexed.add("A note about the glacier", user_id="u")[0]
        assert _ids(indexed, ["glacier"]) == [added.id]


def test_a_small_store_builds_no_index(dsn: str) -> None:
    mem = _memory(dsn, threshold=100)
    mem.add([{"content": n} for n in NOTES], user_id="u")
    store = mem.store
    assert isinstance(store, PostgresStore)
    assert not store.wait_for_text_index(0.2)
    assert _ids(mem, ["kayaking"]) and store._text._index is None
    mem.close()


def test_an_erasure_makes_every_process_build_its_index_anew(two: tuple[Memory, Memory]) -> None:
    indexed, plain = two
    indexed.add([{"content": n} for n in NOTES], user_id="u")
    gone = plain.add("A note about the glacier", user_id="u")[0]
    assert _indexed(indexed) and _ids(indexed, ["glacier"]) == [gone.id]
    sidecar = indexed.store._text  # type: ignore[attr-defined]
    built = sidecar._index
    plain.delete(gone.id)
    plain.store.compact()
    deadline = time.monotonic() + 10
    while sidecar._index is built and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sidecar._index is not built  # its segments held the erased words
    assert _indexed(indexed) and _ids(indexed, ["glacier"]) == []


def test_a_failing_index_leaves_the_ranking_to_sql(
    dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mem = _memory(dsn)
    mem.add([{"content": n} for n in NOTES], user_id="u")
    sidecar = mem.store._text  # type: ignore[attr-defined]

    def broken_disk(*args: object) -> None:
        raise OSError("no space left")

    monkeypatch.setattr(TextIndex, "rebuild", broken_disk)
    assert not mem.store.wait_for_text_index(1)  # type: ignore[attr-defined]
    assert sidecar.broken
    assert [mem.get(i).text for i in _ids(mem, ["kayaking"])] == [NOTES[2]]
    mem.close()


def test_closing_the_store_stops_a_build_in_progress(
    dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engramdb.backends.postgres import textsidecar

    building = threading.Event()

    def endless(conn: object) -> Iterator[list[tuple[int, str, dict[str, str]]]]:
        while True:  # a store too large to index before the command ends
            building.set()
            time.sleep(0.01)
            yield [(1, "a note", {"user_id": "u"})]

    monkeypatch.setattr(textsidecar, "_all_rows", endless)
    mem = _memory(dsn)
    mem.add("a note", user_id="u")
    assert _ids(mem, ["note"])  # SQL ranks, the build starts
    assert building.wait(10)
    thread = mem.store._text._thread  # type: ignore[attr-defined]
    mem.close()
    assert not thread.is_alive()
