"""Recall with understanding, on the real local model: time questions and multi-hop questions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import say

from engramdb import Memory
from engramdb.ports.nlp import Parser
from engramdb.testing import FrozenClock

pytestmark = pytest.mark.model


@pytest.fixture
def trips(tmp_path: Path, minilm, spacy_parser: Parser) -> Iterator[Memory]:  # type: ignore[no-untyped-def]
    clock = FrozenClock(datetime(2024, 1, 1, tzinfo=UTC))
    with Memory.open(tmp_path / "t.db", embedder=minilm, clock=clock, parser=spacy_parser) as mem:
        sessions = [
            ("s1", datetime(2023, 3, 6, 18, tzinfo=UTC), [
                ("Ana", "I spent last weekend in Rome, the food was incredible."),
                ("Ben", "Nice! I've never been to Italy."),
                ("Ana", "I also finally finished my pottery class."),
            ]),
            ("s2", datetime(2023, 5, 22, 9, tzinfo=UTC), [
                ("Ben", "Guess what, I flew to Tokyo on Saturday for a conference."),
                ("Ana", "Wow! I was in Paris two weeks ago for my sister's wedding."),
                ("Ben", "How was the wedding?"),
            ]),
            ("s3", datetime(2023, 9, 12, 20, tzinfo=UTC), [
                ("Ben", "My company sent me to Rome last month, I finally saw the Colosseum."),
                ("Ana", "Told you Rome was worth it!"),
                ("Ben", "I adopted a dog named Pixel yesterday."),
            ]),
        ]  # fmt: skip
        for sid, when, turns in sessions:
            mem.add([say(n, t) for n, t in turns], user_id="u", session_id=sid, timestamp=when)
        yield mem


def evidence(mem: Memory, query: str, k: int, **kw: object) -> list[str]:
    """The verbatim turns credited by the top ``k`` hits, in order of first appearance."""
    turns: list[str] = []
    for hit in mem.search(query, user_id="u", k=k, **kw):  # type: ignore[arg-type]
        turns += [s.text for s in hit.sources if s.text not in turns]
    return turns


def test_a_question_with_a_relative_date_finds_what_happened_then(trips: Memory) -> None:
    hits = trips.search(
        "What did Ben do last Saturday?", user_id="u", k=3, as_of=datetime(2023, 5, 23, tzinfo=UTC)
    )
    top = hits[0]
    assert top.memory.text == "Ben flew to Tokyo on 2023-05-20 for a conference"
    assert {"time", "entity"} <= {s.name for s in top.why}


def test_before_a_time_asks_about_the_time_before_it(trips: Memory) -> None:
    asked = datetime(2023, 9, 13, tzinfo=UTC)
    before = trips.search("Where did Ben travel before last month?", user_id="u", k=1, as_of=asked)
    within = trips.search("Where did Ben travel last month?", user_id="u", k=1, as_of=asked)
    assert "Tokyo" in before[0].memory.text and "time" in {s.name for s in before[0].why}
    assert "Rome" in within[0].memory.text


def test_a_time_question_finds_the_turn_and_its_dated_fact(trips: Memory) -> None:
    [turn, *_] = evidence(trips, "When did Ana go to Rome?", k=3)
    assert turn == "I spent last weekend in Rome, the food was incredible."
    rome = trips.get_all(user_id="u", filters={"kind": "fact", "object": None}).memories
    dated = [f for f in rome if "Rome" in f.text and f.metadata["subject"] == "Ana"]
    assert [f.text for f in dated] == [
        "Ana spent the weekend of 2023-03-04 in Rome, the food was incredible"
    ]
    assert dated[0].metadata["when"]["precision"] == "weekend"


def test_multi_hop_gathers_evidence_from_several_sessions(trips: Memory) -> None:
    found = evidence(trips, "Which cities have both Ana and Ben visited?", k=4)
    assert "I spent last weekend in Rome, the food was incredible." in found
    assert "My company sent me to Rome last month, I finally saw the Colosseum." in found


def test_what_is_true_now_and_what_was_true_then(trips: Memory) -> None:
    page = trips.entity("Rome", user_id="u")
    assert page.entity.kind == "place"
    sessions = {m.scope.session_id for m in page.mentions}
    assert sessions == {"s1", "s3"}
    assert trips.profile("Ben", user_id="u").as_dict()["pets"] == ["Pixel"]
    assert trips.search("Ben's dog", user_id="u", k=3, as_of=datetime(2023, 6, 1, tzinfo=UTC))
    before = evidence(
        trips, "What is Ben's dog called?", k=10, as_of=datetime(2023, 6, 1, tzinfo=UTC)
    )
    assert all("Pixel" not in t for t in before)  # he adopted it later


@pytest.fixture
def chat(tmp_path: Path, minilm, spacy_parser: Parser) -> Iterator[Memory]:  # type: ignore[no-untyped-def]
    clock = FrozenClock(datetime(2024, 1, 1, tzinfo=UTC))
    with Memory.open(tmp_path / "c.db", embedder=minilm, clock=clock, parser=spacy_parser) as mem:
        turns = [
            ("Ben", "Ana, you always talk about hiking! Did you go again?"),
            ("Ana", "Yes, last month I went hiking in the Alps with my brother."),
            ("Ben", "Cool. I bought new running shoes."),
            ("Ana", "Nice, what else do you do on weekends?"),
            ("Ben", "Mostly pottery and long bike rides."),
            ("Ana", "That sounds relaxing."),
        ]
        when = datetime(2023, 6, 5, 18, tzinfo=UTC)
        mem.add([say(n, t) for n, t in turns], user_id="u", session_id="s1", timestamp=when)
        yield mem


def test_what_a_person_did_is_told_by_that_person(chat: Memory) -> None:
    hits = chat.search("Where has Ana gone hiking?", user_id="u", k=3)
    # Ben's turn matches best on its own (it says "Ana" and "hiking"), but only names her
    assert [s.text for s in hits[0].sources] == [
        "Yes, last month I went hiking in the Alps with my brother."
    ]
    assert hits[0].memory.text == "In May 2023 Ana went hiking in the Alps with Ana's brother"
    assert {"entity", "support"} <= {s.name for s in hits[0].why}  # the turn was found too
    assert hits[1].memory.text == "Ana, you always talk about hiking! Did you go again?"


def test_a_question_lends_its_score_to_its_answer(chat: Memory) -> None:
    asked = chat.get_all(user_id="u", filters={"kind": "episode"}).memories[3]
    [answer, *_] = chat.search("What does Ben do on weekends?", user_id="u", k=3)
    assert answer.memory.text == "Mostly pottery and long bike rides."
    assert any(s.name == "neighbour" and s.via == asked.id for s in answer.why)
