"""Which query words a full-text match runs on: the rare ones, once a store is large."""

from __future__ import annotations

from pathlib import Path

from engramdb.backends._lexical import ScopeShares, TermCounts, rarest_within
from engramdb.backends.sqlite.store import SQLiteStore
from engramdb.engine import Memory
from engramdb.model.memory import Scope
from engramdb.testing import HashEmbedder


def test_rarest_words_within_the_cap_and_always_one() -> None:
    counts = {"went": 900, "kayak": 3, "lisbon": 40, "last": 700}
    assert rarest_within(list(counts), counts, 50) == ["kayak", "lisbon"]
    assert rarest_within(list(counts), counts, 1) == ["kayak"]
    assert rarest_within(list(counts), counts, 10_000) == ["kayak", "lisbon", "last", "went"]


def test_counts_are_cached_until_they_expire() -> None:
    now = [0.0]
    asked: list[str] = []

    def count(term: str) -> int:
        asked.append(term)
        return len(term)

    counts = TermCounts(cap=5, ttl=60, clock=lambda: now[0])
    assert counts.matched(["ab", "abcd", "abc"], count) == ["ab", "abc"]  # in the query's order
    assert counts.matched(["ab", "abcd"], count) == ["ab"]
    assert asked == ["ab", "abcd", "abc"]
    now[0] = 61
    counts.of(["ab"], count)
    assert asked[-1] == "ab" and len(asked) == 4
    assert counts.matched(["only"], count) == ["only"]  # a single word is never counted
    assert len(asked) == 4


def test_scope_shares_are_measured_once_until_they_expire() -> None:
    now = [0.0]
    measured: list[str] = []

    def measure(scope: str, large: bool) -> bool:
        measured.append(scope)
        return large

    shares = ScopeShares(ttl=60, clock=lambda: now[0])
    assert shares.large("big", lambda: measure("big", True))
    assert not shares.large("small", lambda: measure("small", False))
    assert shares.large("big", lambda: measure("big", False))  # known: not measured again
    assert measured == ["big", "small"]
    now[0] = 61
    assert not shares.large("big", lambda: measure("big", False))  # it shrank since
    assert measured == ["big", "small", "big"]


def test_a_large_store_matches_on_its_rare_words(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "a.db"), dimensions=64)
    mem = Memory(store, HashEmbedder())
    mem.add([{"content": f"we went out, day {n}"} for n in range(30)], user_id="u")
    mem.add("we went kayaking on the river", user_id="u")
    everything = store.keyword_search(["went", "kayaking"], Scope("u"), None, 50)
    store._term_counts = TermCounts(cap=10)  # as if "went" were in more than the cap's documents
    rare = store.keyword_search(["went", "kayaking"], Scope("u"), None, 50)
    assert len(everything) == 31
    assert [i for i, _ in rare] == [everything[0][0]]  # only the kayaking turn holds the rare word
    mem.close()
