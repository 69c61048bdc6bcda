"""The LLM layer in the engine, on every backend: facts, conflicts, gists, answers, jobs."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from tests.conftest import say
from tests.llm.conftest import Brain, fact

from engramdb import Memory
from engramdb.errors import CapabilityMissing, InvalidInput
from engramdb.model.memory import MemoryKind, MemoryStatus

MAY = "2023-05-25T10:00:00+00:00"
JUNE = "2023-06-30T10:00:00+00:00"


def facts_of(mem: Memory, *, inactive: bool = False) -> list:
    page = mem.get_all(user_id="u", filters={"kind": "fact"}, include_inactive=inactive)
    return [m for m in page.memories if m.kind is MemoryKind.FACT]


def moved(city: str, day: str):
    def extract(turns):
        alias, _, who, _ = turns[0]
        return [fact(f"{who} lives in {city}.", who, "lives_in", city, day, alias)]

    return extract


def test_the_models_facts_replace_the_rule_facts_of_the_same_turns(
    lmem: Memory, brain: Brain
) -> None:
    def answer(turns, invented: bool):  # type: ignore[no-untyped-def]
        found = [
            fact("Melanie ran a charity race for mental health on 2023-05-20.", "Melanie",
                 "ran", "charity race", "2023-05-20", turns[0][0]),
            fact("Melanie has children.", "Melanie", "has", "children", None, turns[0][0],
                 turns[1][0]),
        ]  # fmt: skip
        invention = fact("An invented fact.", "Melanie", "invented", None, None, "T99")
        return [*found, invention] if invented else found

    brain.facts = lambda turns: answer(turns, invented=True)
    brain.aliases = [{"alias": "Mel", "name": "Melanie"}]
    stored = lmem.add(
        [say("Melanie", "I ran a charity race for mental health last Saturday."),
         say("Melanie", "My kids cheered the whole way!")],
        user_id="u", session_id="s1", timestamp=MAY, sync=True,
    )  # fmt: skip
    # an answer citing a turn that does not exist is invalid: the job fails, the rule facts stay
    assert lmem.jobs()[0].status.value == "failed"
    assert lmem.jobs()[0].error.startswith("LLMOutputError")
    rule = facts_of(lmem)
    assert rule and all(f.metadata["extractor"].startswith("spacy") for f in rule)
    brain.facts = lambda turns: answer(turns, invented=False)
    assert lmem.retry() == {"requeued": 1, "done": 1, "failed": 0}
    active = {f.text: f for f in facts_of(lmem)}
    assert set(active) == {
        "Melanie ran a charity race for mental health on 2023-05-20.",
        "Melanie has children.",
    }
    race = active["Melanie ran a charity race for mental health on 2023-05-20."]
    assert race.sources == (stored[0].id,)
    assert race.occurred_at == datetime(2023, 5, 20, tzinfo=UTC)
    assert race.metadata["when"]["precision"] == "day"
    assert race.metadata["extractor"] == "llm:openai-compatible:scripted"
    assert race.metadata["prompt"] == "extract_facts@1"
    assert active["Melanie has children."].sources == (stored[0].id, stored[1].id)
    archived = [f for f in facts_of(lmem, inactive=True) if f.status is MemoryStatus.ARCHIVED]
    assert archived and all(f.metadata["extractor"].startswith("spacy") for f in archived)
    page = lmem.entity("Melanie", user_id="u")
    assert "Mel" in page.entity.aliases
    assert {r.predicate for r in page.relations if r.valid_to is None} >= {"ran", "has"}
    hits = lmem.search("charity race", user_id="u", k=3)
    assert hits[0].memory.id == race.id
    assert lmem.jobs()[0].status.value == "done"


@pytest.mark.parametrize(("verdict", "old_status"), [("update", "superseded"),
                                                     ("independent", "active")])  # fmt: skip
def test_conflicts_are_judged_before_anything_is_superseded(
    lmem: Memory, brain: Brain, verdict: str, old_status: str
) -> None:
    brain.verdict = verdict
    brain.facts = moved("Boston", "2023-05-20")
    lmem.add([say("John", "I moved to Boston.")], user_id="u", session_id="s1", timestamp=MAY,
             sync=True)  # fmt: skip
    brain.facts = moved("Denver", "2023-06-28")
    lmem.add([say("John", "We moved to Denver now.")], user_id="u", session_id="s2",
             timestamp=JUNE, sync=True)  # fmt: skip
    by_text = {f.text: f for f in facts_of(lmem, inactive=True)}
    assert by_text["John lives in Boston."].status.value == old_status
    assert by_text["John lives in Denver."].status is MemoryStatus.ACTIVE
    assert "judge_conflict" in brain.seen
    if verdict == "update":
        assert by_text["John lives in Boston."].superseded_by == by_text["John lives in Denver."].id
        assert by_text["John lives in Boston."].valid_to == datetime(2023, 6, 28, tzinfo=UTC)
        as_of_may = lmem.search("Where does John live?", user_id="u", as_of="2023-06-01T00:00Z")
        assert "John lives in Boston." in {h.memory.text for h in as_of_may}


def test_the_judge_can_end_a_fact_the_rules_would_keep(lmem: Memory, brain: Brain) -> None:
    brain.facts = lambda t: [fact("Ana likes sushi.", "Ana", "likes", "sushi", None, t[0][0])]
    lmem.add([say("Ana", "I love sushi.")], user_id="u", session_id="s1", timestamp=MAY, sync=True)
    brain.facts = lambda t: [fact("Ana likes ramen.", "Ana", "likes", "ramen", None, t[0][0])]
    brain.verdict = "contradiction"
    lmem.add([say("Ana", "Honestly I can't stand sushi any more, ramen is my thing.")],
             user_id="u", session_id="s2", timestamp=JUNE, sync=True)  # fmt: skip
    sushi = next(f for f in facts_of(lmem, inactive=True) if f.text == "Ana likes sushi.")
    assert sushi.status is MemoryStatus.SUPERSEDED  # "likes" is multi-valued for the rules


def test_consolidation_gists_are_rewritten_by_the_model(lmem: Memory, brain: Brain) -> None:
    brain.gist = "Melanie told Caroline about her charity race and her kids."
    lmem.add(
        [say("Melanie", "I ran a charity race."), say("Caroline", "Amazing, how did it go?"),
         say("Melanie", "Great, my kids cheered.")],
        user_id="u", session_id="s1", timestamp=MAY,
    )  # fmt: skip
    lmem.consolidate(user_id="u")
    assert lmem.run_jobs() == {"done": 2, "failed": 0}  # the extraction and the gist
    gists = lmem.get_all(user_id="u", filters={"kind": "summary"}).memories
    assert [g.text for g in gists] == [brain.gist]
    assert gists[0].metadata["prompt"] == "gist@1"
    assert "charity race" in gists[0].metadata["extractive"]
    assert gists[0].version == 2
    assert lmem.consolidate(user_id="u")["gists"] == 0  # idempotent: nothing new to rewrite


def test_answers_cite_memories_and_the_turns_behind_them(lmem: Memory, brain: Brain) -> None:
    stored = lmem.add([say("Ana", "I adopted a dog called Pixel.")], user_id="u",
                      session_id="s1", timestamp=MAY)  # fmt: skip
    found = lmem.answer("What is Ana's dog called?", user_id="u")
    assert "Pixel" in found.text
    assert found.citations and stored[0].id in found.sources  # M999 (invented) dropped
    assert found.prompt == "answer@1" and found.model == "openai-compatible:scripted"
    usage = lmem.usage()["answer"]
    assert usage["calls"] == 1 and usage["prompt_tokens"] > 0 and usage["cost"] > 0


def test_jobs_are_confined_to_their_tenant(lmem: Memory, brain: Brain, llm_server) -> None:
    acme, globex = lmem.for_tenant("acme"), lmem.for_tenant("globex")
    llm_server.push(*[llm_server_error()] * 3)
    acme.add([say("Ana", "Hello there, I am Ana.")], user_id="u", timestamp=MAY, sync=True)
    assert [j.status.value for j in acme.jobs()] == ["failed"]
    assert globex.jobs() == [] and lmem.jobs() == []
    assert globex.retry() == {"requeued": 0, "done": 0, "failed": 0}
    assert acme.retry()["requeued"] == 1
    assert [j.status.value for j in acme.jobs()] == ["done"]


def llm_server_error():
    from engramdb.testing.llm_server import Reply

    return Reply(status=500)


def test_bad_input_to_the_llm_methods(lmem: Memory) -> None:
    with pytest.raises(InvalidInput, match="status"):
        lmem.jobs(status="stuck")
    with pytest.raises(InvalidInput):
        lmem.retry([""])
    with pytest.raises(InvalidInput):
        lmem.answer("", user_id="u")


def test_without_an_llm_the_llm_methods_say_what_is_missing(mem: Memory) -> None:
    assert mem.usage() == {}
    for call in (lambda: mem.answer("q?", user_id="u"), mem.jobs, mem.retry, mem.run_jobs):
        with pytest.raises(CapabilityMissing, match="needs an LLM"):
            call()


def test_the_background_worker_runs_jobs_and_stops_cleanly(
    tmp_path, clock, llm, spacy_parser, brain: Brain
) -> None:
    from tests.llm.conftest import open_llm_memory

    brain.facts = moved("Lisbon", "2023-05-20")
    with open_llm_memory(tmp_path / "m.db", clock, llm, spacy_parser, background=True) as mem:
        mem.add([say("Ana", "I moved to Lisbon.")], user_id="u", session_id="s", timestamp=MAY)
        deadline = time.monotonic() + 20
        while mem.jobs(status="pending") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [j.status.value for j in mem.jobs()] == ["done"]
        assert "Ana lives in Lisbon." in {f.text for f in facts_of(mem)}


def test_one_call_judges_every_new_fact_of_an_add(lmem: Memory, brain: Brain) -> None:
    def facts(city: str, firm: str):
        return lambda t: [
            fact(f"John lives in {city}.", "John", "lives_in", city, None, t[0][0]),
            fact(f"John works at {firm}.", "John", "works_at", firm, None, t[0][0]),
        ]

    brain.facts = facts("Boston", "Acme")
    lmem.add([say("John", "I live in Boston and work at Acme.")], user_id="u", session_id="s1",
             timestamp=MAY, sync=True)  # fmt: skip
    brain.facts = facts("Denver", "Globex")
    lmem.add([say("John", "New city, new job: Denver and Globex!")], user_id="u",
             session_id="s2", timestamp=JUNE, sync=True)  # fmt: skip
    assert brain.seen.count("judge_conflict") == 1
    status = {f.text: f.status for f in facts_of(lmem, inactive=True)}
    assert status["John lives in Boston."] is MemoryStatus.SUPERSEDED
    assert status["John works at Acme."] is MemoryStatus.SUPERSEDED
    assert status["John works at Globex."] is MemoryStatus.ACTIVE


def test_an_edited_turn_is_extracted_again(lmem: Memory, brain: Brain) -> None:
    brain.facts = moved("Boston", "2023-05-20")
    [turn] = lmem.add([say("John", "I moved to Boston.")], user_id="u", session_id="s1",
                      timestamp=MAY, sync=True)  # fmt: skip
    brain.facts = moved("Austin", "2023-05-20")
    lmem.update(turn.id, text="I moved to Austin.")
    assert lmem.run_jobs() == {"done": 1, "failed": 0}
    assert [f.text for f in facts_of(lmem)] == ["John lives in Austin."]


def test_a_batch_queues_one_job_per_item(lmem: Memory, brain: Brain) -> None:
    brain.facts = moved("Porto", "2023-05-20")
    items = [
        {"messages": [say("Ana", "I moved to Porto.")], "user_id": "u", "session_id": "a"},
        {"messages": [say("Ben", "I moved to Porto too.")], "user_id": "u", "session_id": "b"},
    ]
    lmem.add_batch(items, sync=True)
    assert [(j.kind, j.status.value) for j in lmem.jobs()] == [("extract", "done")] * 2
    assert {f.text for f in facts_of(lmem)} == {"Ana lives in Porto.", "Ben lives in Porto."}
