"""A scope's timeline (turns in the order said, paged), a memory's lineage, bounded entity pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engramdb import InvalidInput, Memory, MemoryKind, MemoryRecord, NotFound
from engramdb.testing.conformance._support import T0, say


def _three_sessions(mem: Memory) -> None:
    """Sessions added out of the order they happened in: the timeline puts them back."""
    for sid, days, texts in (
        ("late", 20, ("We went hiking on Sunday", "The trail was muddy")),
        ("early", 0, ("I started a pottery class", "My first bowl cracked", "I will try again")),
        ("middle", 10, ("I bought a new kiln",)),
    ):
        mem.add([say("Ana", t) for t in texts], user_id="u", session_id=sid,
                timestamp=T0 + timedelta(days=days))  # fmt: skip


def test_the_timeline_is_in_the_order_said_and_pages_through_every_turn_once(mem: Memory) -> None:
    _three_sessions(mem)
    seen: list[MemoryRecord] = []
    cursor, pages = None, 0
    while True:
        page = mem.timeline(user_id="u", limit=2, cursor=cursor)
        assert len(page.turns) <= 2 and all(t.kind is MemoryKind.EPISODE for t in page.turns)
        seen += page.turns
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [t.text for t in seen] == [
        "I started a pottery class", "My first bowl cracked", "I will try again",
        "I bought a new kiln", "We went hiking on Sunday", "The trail was muddy",
    ]  # fmt: skip
    assert pages == 3
    assert [t.text for t in mem.timeline(session_id="middle").turns] == ["I bought a new kiln"]


def test_a_timeline_page_carries_the_gists_of_its_turns(mem: Memory) -> None:
    _three_sessions(mem)
    mem.consolidate(user_id="u")
    page = mem.timeline(user_id="u", limit=3)
    gists = [m for m in page.derived if m.kind is MemoryKind.SUMMARY]
    assert gists and all(set(g.sources) & {t.id for t in page.turns} for g in gists)
    assert {g.metadata["level"] for g in gists} >= {"episode"}


def test_a_bad_timeline_cursor_or_scope_is_refused(mem: Memory) -> None:
    _three_sessions(mem)
    for cursor in ("r12", "t~5", "tnot-a-time~3", "t2024-05-01T12:00:00~3"):  # last: no zone
        with pytest.raises(InvalidInput):
            mem.timeline(user_id="u", cursor=cursor)
    with pytest.raises(InvalidInput):
        mem.timeline()
    with pytest.raises(InvalidInput):
        mem.timeline(user_id="u", limit=0)


def test_a_tenant_sees_only_its_own_timeline_and_lineage(mem: Memory) -> None:
    acme, globex = mem.for_tenant("acme"), mem.for_tenant("globex")
    mine = acme.add([say("Ana", "My code name is Bluebird")], user_id="u")[0]
    globex.add([say("Ana", "My code name is Redwing")], user_id="u")
    assert [t.text for t in acme.timeline(user_id="u").turns] == ["My code name is Bluebird"]
    assert acme.lineage(mine.id).memory.id == mine.id
    with pytest.raises(NotFound):
        globex.lineage(mine.id)


def test_lineage_links_a_fact_to_its_turns_and_to_the_values_it_replaced(umem: Memory) -> None:
    for sid, days, text in (
        ("s1", 0, "I live in Lisbon with my cat."),
        ("s2", 300, "Big news: I moved to Porto last week."),
        ("s3", 700, "I just moved to Berlin."),
    ):
        umem.add([say("Ana", text)], user_id="u", session_id=sid,
                 timestamp=T0 + timedelta(days=days))  # fmt: skip
    homes = {
        m.metadata["object"]: m
        for m in umem.get_all(user_id="u", filters={"kind": "fact"}, include_superseded=True)
        if m.metadata.get("predicate") == "lives_in"
    }
    berlin = umem.lineage(homes["Berlin"].id)
    assert [m.metadata["object"] for m in berlin.replaced] == ["Porto", "Lisbon"]
    assert berlin.replaced_by == ()
    assert [s.text for s in berlin.sources] == ["I just moved to Berlin."]
    lisbon = umem.lineage(homes["Lisbon"].id)
    assert [m.metadata["object"] for m in lisbon.replaced_by] == ["Porto", "Berlin"]
    turn = umem.lineage(berlin.sources[0].id)
    assert homes["Berlin"].id in {m.id for m in turn.derived}
    with pytest.raises(NotFound):
        umem.lineage("no-such-memory")


def test_an_entity_page_is_bounded_and_says_how_much_there_is(umem: Memory) -> None:
    for day in range(6):
        umem.add([say("Ana", f"I walked my dog Rex for {day + 1} miles today.")], user_id="u",
                 session_id=f"s{day}", timestamp=T0 + timedelta(days=day))  # fmt: skip
    full = umem.entity("Rex", user_id="u")
    page = umem.entity("Rex", user_id="u", limit=2)
    assert full.mention_count == page.mention_count == len(full.mentions) >= 6
    assert [m.id for m in page.mentions] == [m.id for m in full.mentions][-2:]  # the newest
    assert page.relation_count == full.relation_count and len(page.relations) <= 2
    with pytest.raises(InvalidInput):
        umem.entity("Rex", user_id="u", limit=0)
