"""Procedural memory on a scripted agent task set, with the real local embedder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from tests.conftest import T0

from engramdb import InvalidInput, Memory
from engramdb.pipeline.procedures import Step, summarize, task_pattern
from engramdb.testing import FrozenClock

FLIGHT_OK = [
    "search_flights(origin, destination, date)",
    "select_cheapest()",
    "enter_passenger_details()",
    "pay_with_saved_card()",
    "send_confirmation()",
]
FLIGHT_BAD = ["search_flights(origin, destination, date)", "select_cheapest()",
              {"action": "pay_with_new_card()", "error": "3-D Secure timed out"}]  # fmt: skip
CSV_OK = ["read_file(path)", "detect_delimiter()", "parse_rows()", "write_json(out_path)"]
CSV_BAD = ["read_file(path)", {"action": "parse_rows()", "error": "UnicodeDecodeError"}]
IMAGE_OK = ["open_image(path)", "resize(width)", "save(out_path)"]

SCRIPT = [  # (task, steps, outcome), in the order the agent met them
    ("Book a flight from Paris to Rome on 12 May", FLIGHT_OK, "success"),
    ("Convert sales_2023.csv to JSON", CSV_BAD, "failure"),
    ("Book a flight from Berlin to Madrid on 3 June", FLIGHT_BAD, "failure"),
    ("Resize photo.png to 200 pixels wide", IMAGE_OK, "success"),
    ("Convert customers.csv to JSON", CSV_OK, "success"),
    ("Book a flight from London to Athens on 9 July", FLIGHT_OK, "success"),
]


@pytest.fixture
def agent(minilm, tmp_path) -> Iterator[Memory]:  # type: ignore[no-untyped-def]
    clock = FrozenClock(T0)
    with Memory.open(tmp_path / "agent.db", embedder=minilm, clock=clock) as mem:
        for task, steps, outcome in SCRIPT:
            clock.advance(hours=1)
            mem.add_trajectory(task, steps, outcome, agent_id="travel-bot")
        yield mem


@pytest.mark.model
def test_the_right_procedure_is_recalled_for_unseen_variants(agent: Memory) -> None:
    flight = agent.procedures("Book a flight from Oslo to Lima on 1 August", agent_id="travel-bot")
    assert flight[0].steps == tuple(FLIGHT_OK)
    assert (flight[0].successes, flight[0].failures) == (2, 1)
    assert flight[0].success_rate == pytest.approx(2 / 3)
    assert flight[0].pitfalls == ("pay_with_new_card(): 3-D Secure timed out",)
    assert len(flight[0].sources) == 3
    csv = agent.procedures("Convert orders.csv to JSON", agent_id="travel-bot")[0]
    assert csv.steps == tuple(CSV_OK) and csv.pitfalls == ("parse_rows(): UnicodeDecodeError",)
    image = agent.procedures("Resize banner.jpg to 800 pixels wide", agent_id="travel-bot")[0]
    assert image.steps == tuple(IMAGE_OK) and image.failures == 0
    assert len({flight[0].id, csv.id, image.id}) == 3, "three kinds of task, three procedures"
    assert agent.procedures("Book a flight", agent_id="someone-else") == []


@pytest.mark.model
def test_procedures_keep_provenance_and_history(agent: Memory) -> None:
    best = agent.procedures("Book a flight from Oslo to Lima", agent_id="travel-bot")[0]
    procedure = agent.get(best.id)
    assert procedure.kind == "procedure" and "Succeeded 2 of 3" in procedure.text
    trajectories = [agent.get(i) for i in best.sources]
    assert {t.kind for t in trajectories} == {"trajectory"}
    assert [e.kind.value for e in agent.history(best.id)] == ["add", "update", "update"]
    agent.delete(trajectories[0].id)  # what was learned from deleted evidence goes with it
    assert agent.procedures("Book a flight from Oslo to Lima", agent_id="travel-bot") == []
    assert agent.get(trajectories[1].id).kind == "trajectory"  # the other attempts stay


def test_summaries_and_patterns() -> None:
    ok = [Step("a"), Step("b")]
    other_ok = [Step("a"), Step("c")]
    bad = [Step("a"), Step("x"), Step("b", "timeout")]
    draft = summarize([(ok, "success"), (other_ok, "success"), (ok, "success"), (bad, "failure")])
    assert draft.steps == ("a", "b") and draft.success_rate == 0.75
    assert draft.pitfalls == ("x", "b: timeout")
    assert summarize([(bad, "failure")]).steps == ()
    assert task_pattern("Book a flight from Paris to Rome on 12 May") == "book a flight from to on"
    assert task_pattern('Rename "draft.txt" to notes') == "rename to notes"
    assert task_pattern("Convert sales_2023.csv to JSON") == "convert csv to json"


def test_bad_trajectories_are_rejected(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from engramdb.testing import HashEmbedder

    with Memory.open(tmp_path / "b.db", embedder=HashEmbedder(), understand=False) as mem:
        for task, steps, outcome, scope in [
            ("", ["a"], "success", {"agent_id": "x"}),
            ("t", [], "success", {"agent_id": "x"}),
            ("t", "a", "success", {"agent_id": "x"}),
            ("t", [{"action": "a", "oops": 1}], "success", {"agent_id": "x"}),
            ("t", ["a"], "maybe", {"agent_id": "x"}),
            ("t", ["a"], "success", {"session_id": "s"}),
        ]:
            with pytest.raises(InvalidInput):
                mem.add_trajectory(task, steps, outcome, **scope)  # type: ignore[arg-type]
        assert mem.get_all(agent_id="x", include_inactive=True).memories == []
        stored = mem.add_trajectory("t", ["a"], "success", agent_id="x",
                                    timestamp=T0 - timedelta(days=1))  # fmt: skip
        assert stored.kind == "trajectory" and stored.occurred_at == T0 - timedelta(days=1)
