"""The Memory facade, end to end on real SQLite (memory and file)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engramdb import EventKind, InvalidInput, Memory, MemoryKind, NotFound
from engramdb.model.query import Hit
from engramdb.testing.conformance._support import T0, say
from engramdb.testing.fakes import FrozenClock


def test_add_stores_verbatim_episodes_with_times_and_scope(mem: Memory) -> None:
    when = datetime(2023, 7, 3, 13, 36, tzinfo=UTC)
    stored = mem.add(
        [say("Caroline", "I went to a pride parade last week!")],
        user_id="caroline",
        session_id="s1",
        timestamp=when,
        metadata={"dia_id": "D5:1"},
    )
    got = mem.get(stored[0].id)
    assert got.text == "I went to a pride parade last week!"
    assert got.kind is MemoryKind.EPISODE
    assert got.speaker == "Caroline"
    assert got.occurred_at == when
    assert got.valid_from == when
    assert got.recorded_at == T0
    assert got.scope.user_id == "caroline" and got.scope.session_id == "s1"
    assert got.metadata == {"dia_id": "D5:1"}
    assert got.seq == 0


def test_timestamp_defaults_to_clock_and_seq_continues_across_calls(mem: Memory) -> None:
    first = mem.add("hello", user_id="u", session_id="s")
    second = mem.add([say("A", "one"), say("A", "two")], user_id="u", session_id="s")
    assert first[0].occurred_at == T0
    assert [m.seq for m in first + second] == [0, 1, 2]


def test_search_returns_explained_hits_with_sources(mem: Memory) -> None:
    mem.add(
        [
            say("Ana", "I adopted a cat named Miso"),
            say("Ben", "Nice, I like dogs more"),
            say("Ana", "We went hiking in the Alps"),
        ],
        user_id="ana",
        session_id="s1",
    )
    hits = mem.search("What is the name of Ana's cat?", user_id="ana", k=3)
    # the turn, or the fact drawn from it ("Ana adopted a cat named Miso") crediting the turn
    assert [s.text for s in hits[0].sources] == ["I adopted a cat named Miso"]
    assert {s.name for s in hits[0].why} >= {"lexical", "dense", "entity"}
    assert hits[0].score >= hits[-1].score
    assert "lexical #" in hits[0].explain()


def test_neighbouring_turn_is_pulled_in_below_its_hit(mem: Memory) -> None:
    mem.add(
        [
            say("Ana", "Guess what I bought yesterday?"),
            say("Ana", "A red kayak!"),
            say("Ana", "unrelated words entirely"),
        ],
        user_id="ana",
        session_id="s1",
    )
    hits = mem.search("kayak", user_id="ana", k=5)
    texts = [h.memory.text for h in hits]
    assert texts[0] == "A red kayak!"
    neighbour = next(h for h in hits if h.memory.text == "Guess what I bought yesterday?")
    assert any(s.name == "neighbour" and s.via == hits[0].memory.id for s in neighbour.why)
    assert neighbour.score < hits[0].score


def test_neighbours_of_many_hits_come_in_one_call_each_from_its_own_session(mem: Memory) -> None:
    turns = [say("Ana", f"turn {n}") for n in range(5)]
    first = mem.add(turns, user_id="ana", session_id="s1")
    second = mem.add(turns, user_id="ana", session_id="s2")
    other = mem.add(turns, user_id="ben", session_id="s1")
    mem.delete(first[3].id)
    around = mem.store.neighbours([first[2], second[0], other[4], first[2]], 1)
    assert [m.id for m in around[first[2].id]] == [first[1].id]  # the deleted turn is not active
    assert [m.id for m in around[second[0].id]] == [second[1].id]
    assert [m.id for m in around[other[4].id]] == [other[3].id]
    assert mem.store.neighbours([], 1) == {}


def test_search_never_leaves_its_scope(mem: Memory) -> None:
    mem.add("secret plan about rockets", user_id="alice", session_id="a1")
    mem.add("my rockets are blue", user_id="bob", session_id="b1")
    mem.add("rockets for the agent", agent_id="bot")
    for hit in mem.search("rockets", user_id="alice", k=10):
        assert hit.memory.scope.user_id == "alice"
    assert [h.memory.scope.agent_id for h in mem.search("rockets", agent_id="bot")] == ["bot"]
    assert mem.search("rockets", user_id="carol") == []
    hits = mem.search("rockets", user_id="bob", session_id="b1")
    # the turn, or the fact drawn from it ("Bob's rockets are blue"), never both
    assert [s.text for h in hits for s in h.sources] == ["my rockets are blue"]


def test_budget_limits_returned_tokens(mem: Memory) -> None:
    mem.add([say("A", f"apples are great number {i} " * 5) for i in range(20)], user_id="u")
    hits = mem.search("apples", user_id="u", k=20, budget_tokens=40)
    assert 1 <= len(hits) < 20
    assert sum(len(h.memory.text.split()) for h in hits) <= 40


def test_filters_restrict_search_and_listing(mem: Memory) -> None:
    mem.add("trip to Rome", user_id="u", metadata={"topic": "travel", "year": 2021})
    mem.add("trip to Oslo", user_id="u", metadata={"topic": "travel", "year": 2024})
    mem.add("trip report draft", user_id="u", metadata={"topic": "work", "year": 2024})

    def texts(hits: list[Hit]) -> list[str]:
        return sorted(h.memory.text for h in hits)

    assert texts(mem.search("trip", user_id="u", filters={"topic": "travel"})) == [
        "trip to Oslo",
        "trip to Rome",
    ]
    assert texts(mem.search("trip", user_id="u", filters={"year": {"gte": 2022}})) == [
        "trip report draft",
        "trip to Oslo",
    ]
    either = {"OR": [{"topic": "work"}, {"year": {"lt": 2022}}]}
    assert texts(mem.search("trip", user_id="u", filters=either)) == [
        "trip report draft",
        "trip to Rome",
    ]
    page = mem.get_all(user_id="u", filters={"topic": {"ne": "travel"}})
    assert [m.text for m in page.memories] == ["trip report draft"]


def test_date_range_filter_on_occurred_at(mem: Memory) -> None:
    mem.add("old news", user_id="u", timestamp=datetime(2020, 1, 1, tzinfo=UTC))
    mem.add("new news", user_id="u", timestamp=datetime(2024, 1, 1, tzinfo=UTC))
    since = {"occurred_at": {"gte": datetime(2023, 1, 1, tzinfo=UTC)}}
    assert [h.memory.text for h in mem.search("news", user_id="u", filters=since)] == ["new news"]


def test_get_all_paginates_with_cursor(mem: Memory) -> None:
    mem.add([say("A", f"message {i}") for i in range(25)], user_id="u")
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = mem.get_all(user_id="u", limit=10, cursor=cursor)
        seen.extend(m.text for m in page.memories)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [f"message {i}" for i in range(25)]


def test_update_makes_a_new_version_and_keeps_history(mem: Memory, clock: FrozenClock) -> None:
    original = mem.add("I live in Boston", user_id="u")[0]
    clock.advance(days=1)
    updated = mem.update(original.id, text="I live in Denver", metadata={"fixed": True})
    assert updated.version == 2 and mem.get(original.id).text == "I live in Denver"
    events = mem.history(original.id)
    assert [e.kind for e in events] == [EventKind.ADD, EventKind.UPDATE]
    before, after = events[1].before, events[1].after
    assert before is not None and before["text"] == "I live in Boston"
    assert after is not None and after["text"] == "I live in Denver"
    assert events[1].at == T0 + timedelta(days=1)
    assert events[1].actor == "engramdb"
    # the fact drawn from the old text went with it; the new text was understood again
    assert [h.memory.text for h in mem.search("Denver", user_id="u")] == ["I live in Denver"]
    texts = [m.text for m in mem.get_all(user_id="u").memories]
    assert texts == ["I live in Denver", "U lives in Denver"]


def test_delete_erases_content_and_keeps_tombstone(mem: Memory) -> None:
    kept, gone = mem.add([say("A", "keep this"), say("A", "forget this secret")], user_id="u")
    assert mem.delete(gone.id) == [gone.id]
    with pytest.raises(NotFound):
        mem.get(gone.id)
    events = mem.history(gone.id)
    assert [e.kind for e in events] == [EventKind.ADD, EventKind.DELETE]
    assert all(e.before is None and e.after is None for e in events)
    assert [h.memory.id for h in mem.search("secret", user_id="u")] == [kept.id]


def test_delete_all_removes_every_memory_of_a_scope(mem: Memory) -> None:
    for batch in range(3):
        mem.add(
            [say("A", f"note {batch}-{i}") for i in range(700)], user_id="u", session_id=f"s{batch}"
        )
    mem.add("other user's note", user_id="v")
    assert mem.delete_all(user_id="u", session_id="s1") == 700
    assert mem.delete_all(user_id="u") == 1400
    assert mem.get_all(user_id="u").memories == []
    assert [m.text for m in mem.get_all(user_id="v").memories] == ["other user's note"]
    assert mem.stats()["vectors"] == 1


def test_get_with_scope_hides_other_tenants(mem: Memory) -> None:
    memory_id = mem.add("mine", user_id="alice")[0].id
    assert mem.get(memory_id, user_id="alice").text == "mine"
    with pytest.raises(NotFound):
        mem.get(memory_id, user_id="bob")


def test_add_batch_is_all_or_nothing(mem: Memory) -> None:
    good = {"messages": "fine", "user_id": "u"}
    bad = {"messages": [{"content": ""}], "user_id": "u"}
    with pytest.raises(InvalidInput) as info:
        mem.add_batch([good, bad])
    assert info.value.index == 1
    assert mem.get_all(user_id="u").memories == []
    stored = mem.add_batch([good, {"messages": "also fine", "user_id": "u", "session_id": "x"}])
    assert [len(s) for s in stored] == [1, 1]


def test_context_manager_closes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from engramdb.testing import HashEmbedder

    with Memory.open(tmp_path / "a.db", embedder=HashEmbedder()) as m:
        m.add("x", user_id="u")
    with Memory.open(tmp_path / "a.db", embedder=HashEmbedder()) as m:  # lock was released
        assert len(m.get_all(user_id="u").memories) == 1
