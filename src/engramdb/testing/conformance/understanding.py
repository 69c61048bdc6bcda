"""Understanding on every backend: facts, truth that changes (as-of), entities, aliases."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engramdb import Memory, MemoryKind, MemoryStatus, NotFound
from engramdb.testing import FrozenClock
from engramdb.testing.conformance._support import say


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=UTC)


def session(mem: Memory, when: datetime, *turns: tuple[str, str], sid: str = "s") -> None:
    mem.add([say(name, text) for name, text in turns], user_id="u", session_id=sid, timestamp=when)


def facts(mem: Memory, **kw: object) -> list[str]:
    page = mem.get_all(user_id="u", filters={"kind": "fact"}, limit=1000, **kw)  # type: ignore[arg-type]
    return [m.text for m in page.memories]


def lives_in_as_of(mem: Memory, when: datetime | None) -> str:
    hits = mem.search(
        "Where does Ana live?",
        user_id="u",
        k=20,
        filters={"kind": "fact", "predicate": "lives_in"},
        as_of=when,
    )
    return str(hits[0].memory.metadata["object"])


def test_facts_are_third_person_dated_and_linked_to_their_turn(umem: Memory) -> None:
    session(
        umem,
        at(2023, 5, 22),
        ("Melanie", "I ran a charity race for mental health last Saturday."),
        ("Caroline", "That's amazing! How did it go?"),
    )
    [fact] = umem.get_all(user_id="u", filters={"kind": "fact"}).memories
    assert fact.text == "Melanie ran a charity race for mental health on 2023-05-20"
    assert fact.occurred_at == datetime(2023, 5, 20, tzinfo=UTC)
    assert fact.metadata["when"]["precision"] == "day"
    [turn] = umem.store.get_many(list(fact.sources)).values()
    assert turn.text == "I ran a charity race for mental health last Saturday."
    assert turn.reading == (
        "Melanie ran a charity race for mental health last Saturday (2023-05-20)."
    )


def test_a_person_moving_twice(umem: Memory) -> None:
    session(umem, at(2021, 1, 10), ("Ana", "I live in Lisbon with my cat."), sid="s1")
    session(umem, at(2022, 3, 5), ("Ana", "Big news: I moved to Porto last week."), sid="s2")
    session(umem, at(2023, 6, 1), ("Ana", "I just moved to Berlin for a new job."), sid="s3")
    assert umem.profile("Ana", user_id="u").as_dict()["home"] == "Berlin"
    assert lives_in_as_of(umem, None) == "Berlin"
    assert lives_in_as_of(umem, at(2021, 6, 1)) == "Lisbon"
    assert lives_in_as_of(umem, at(2022, 12, 31)) == "Porto"
    assert lives_in_as_of(umem, at(2023, 6, 2)) == "Berlin"
    # default views see only what is true now; the past stays, superseded, never deleted
    assert [t for t in facts(umem) if "Ana" in t and "Lisbon" in t] == []
    everything = umem.get_all(user_id="u", filters={"kind": "fact"}, include_superseded=True)
    old = [m for m in everything.memories if m.status is MemoryStatus.SUPERSEDED]
    assert [m.metadata["object"] for m in old] == ["Lisbon", "Porto"]
    # Porto's fact is dated "last week" of Saturday 2022-03-05: from Monday 2022-02-21
    assert old[0].valid_to == datetime(2022, 2, 21, tzinfo=UTC)
    assert old[0].superseded_by == old[1].id
    assert [e.kind.value for e in umem.history(old[0].id)] == ["add", "update"]


def test_a_fact_about_the_past_does_not_overwrite_the_present(umem: Memory) -> None:
    session(umem, at(2023, 6, 1), ("Ana", "I live in Berlin now."), sid="s1")
    session(umem, at(2023, 7, 1), ("Ana", "Back in 2019 I moved to Lisbon for a year."), sid="s2")
    assert umem.profile("Ana", user_id="u").as_dict()["home"] == "Berlin"


def test_preference_reversal(umem: Memory) -> None:
    session(umem, at(2023, 1, 5), ("Ana", "I really love sushi, especially salmon."), sid="s1")
    session(umem, at(2023, 8, 9), ("Ana", "Honestly, I don't like sushi anymore."), sid="s2")
    profile = umem.profile("Ana", user_id="u").as_dict()
    assert profile["dislikes"] == ["sushi"]
    assert "sushi" not in str(profile["likes"])
    hits = umem.search("Does Ana like sushi?", user_id="u", k=5, filters={"kind": "fact"})
    assert [h.memory.text for h in hits] == ["Ana doesn't like sushi anymore"]
    past = umem.search(
        "Does Ana like sushi?", user_id="u", k=5, filters={"kind": "fact"}, as_of=at(2023, 3, 1)
    )
    assert [h.memory.text for h in past] == ["Ana really loves sushi, especially salmon"]


def test_entities_link_across_sessions_by_alias_and_nickname(umem: Memory) -> None:
    session(
        umem,
        at(2023, 4, 1),
        ("Melanie", "My sister Lucy is visiting next week."),
        ("Caroline", "Say hi to her!"),
        sid="s1",
    )
    session(umem, at(2023, 4, 20), ("Caroline", "Mel, how was Lucy's visit?"), sid="s2")
    lucy = umem.entity("Melanie's sister", user_id="u")
    assert lucy.entity.name == "Lucy" and lucy.entity.kind == "person"
    assert len([m for m in lucy.mentions if m.kind is MemoryKind.EPISODE]) == 3
    assert umem.entity("Mel", user_id="u").entity.name == "Melanie"
    names = {e.name for e in umem.entities(user_id="u")}
    assert {"Melanie", "Caroline", "Lucy"} <= names
    with pytest.raises(NotFound):
        umem.entity("Nobody", user_id="u")
    with pytest.raises(NotFound):
        umem.entity("Lucy", user_id="someone-else")


def test_entity_page_has_facts_and_relations(umem: Memory) -> None:
    session(umem, at(2023, 4, 1), ("Ana", "I work at Acme Robotics and I live in Lisbon."))
    page = umem.entity("Ana", user_id="u")
    assert [f.text for f in page.facts] == ["Ana works at Acme Robotics", "Ana lives in Lisbon"]
    assert [(r.predicate, r.object_value) for r in page.relations] == [
        ("works_at", "Acme Robotics"),
        ("lives_in", "Lisbon"),
    ]
    lisbon = umem.entity("Lisbon", user_id="u")
    assert lisbon.entity.kind == "place" and lisbon.relations[0].object_id == lisbon.entity.id


def test_forgetting_a_user_leaves_no_trace_of_their_entities(
    tmp_path: Path, clock: FrozenClock, spacy_parser: object
) -> None:
    db = tmp_path / "f.db"
    with Memory.open(db, embedder=__import__("engramdb.testing").testing.HashEmbedder(),
                     clock=clock, parser=spacy_parser) as mem:  # type: ignore[arg-type]  # fmt: skip
        mem.add([say("Zelda", "My brother Quinton lives in Reykjavik.")], user_id="gone")
        mem.add([say("Ana", "I live in Lisbon.")], user_id="kept")
        mem.delete_all(user_id="gone")
        assert mem.entities(user_id="gone") == []
    with sqlite3.connect(db) as conn:
        for table in ("entities", "entity_mentions", "relations", "memories"):
            dump = " ".join(str(row) for row in conn.execute(f"SELECT * FROM {table}"))
            assert "Quinton" not in dump and "Reykjavik" not in dump and "Zelda" not in dump
        assert conn.execute("SELECT count(*) FROM entities").fetchone()[0] == 2  # Ana, Lisbon


def test_odd_turns_are_stored_and_understood_without_crashing(umem: Memory) -> None:
    texts = [
        "😀🎉",
        "def f():\n    return 1",
        "Je suis allé à Paris hier.",
        "I " + "very " * 2000 + "much like long turns",
    ]
    stored = umem.add([say("Ana", t) for t in texts], user_id="u")
    assert [m.text for m in stored] == texts
    assert umem.search("Paris", user_id="u", k=3)


def test_a_question_for_an_attribute_is_answered_by_the_fact_true_then(umem: Memory) -> None:
    session(umem, at(2021, 1, 10), ("Ana", "I live in Lisbon with my cat."), sid="s1")
    session(umem, at(2022, 3, 5), ("Ana", "Big news: I moved to Porto last week."), sid="s2")
    session(umem, at(2023, 6, 1), ("Ana", "I just moved to Berlin for a new job."), sid="s3")
    for when, city in ((None, "Berlin"), (at(2022, 12, 31), "Porto"), (at(2021, 6, 1), "Lisbon")):
        [top, *_] = umem.search("Where does Ana live now?", user_id="u", k=3, as_of=when)
        assert top.memory.metadata["object"] == city, when
        assert any(s.name == "relation" and s.rank == 1 for s in top.why)
