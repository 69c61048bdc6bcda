"""However the model fails, the turns are stored and indexed, the failure is recorded,
and ``retry`` completes the work once the model answers again."""

from __future__ import annotations

import pytest
from tests.conftest import say
from tests.llm.conftest import Brain, fact

from engramdb import Memory
from engramdb.testing.llm_server import Reply, ScriptedLLMServer

#: the client's deadline for the failure modes that are about time
SHORT = 1.5
FAILURES = {
    "malformed JSON": (Reply(content="Here are the facts: Ana moved, I think."), "LLMOutputError"),
    "wrong schema": (Reply(content={"facts": [{"statement": "Ana moved"}]}), "LLMOutputError"),
    "cites a turn that does not exist": (
        Reply(
            content={
                "facts": [fact("Ana lives in Rome.", "Ana", "lives_in", "Rome", None, "T99")],
                "aliases": [],
            }
        ),
        "LLMOutputError",
    ),
    "429": (Reply(status=429, headers={"Retry-After": "0"}), "LLMUnavailable"),
    "500": (Reply(status=500), "LLMUnavailable"),
    "timeout": (Reply(content={"facts": []}, delay=4), "LLMUnavailable"),
    "slow stream": (Reply(content={"facts": [], "pad": "x" * 100}, trickle=0.2), "LLMUnavailable"),
}


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failing_model_loses_nothing_and_retry_completes_the_work(
    tmp_path, clock, spacy_parser, brain: Brain, llm_server: ScriptedLLMServer, failure: str
) -> None:
    from tests.llm.conftest import open_llm_memory

    from engramdb.providers.llm import OpenAICompatible

    reply, error = FAILURES[failure]
    timed = failure in {"timeout", "slow stream"}
    llm = OpenAICompatible(
        base_url=llm_server.url, model="scripted", timeout=SHORT if timed else 10
    )
    with open_llm_memory(tmp_path / "m.db", clock, llm, spacy_parser) as smem:
        _fail_then_retry(smem, brain, llm_server, reply, error)


def _fail_then_retry(
    smem: Memory, brain: Brain, llm_server: ScriptedLLMServer, reply: Reply, error: str
) -> None:
    llm_server.push(reply, reply, reply)  # every attempt of the call policy fails
    brain.facts = lambda turns: [
        fact("Ana lives in Lisbon.", "Ana", "lives_in", "Lisbon", None, turns[0][0])
    ]
    stored = smem.add(
        [say("Ana", "I moved to Lisbon in March.")], user_id="u", session_id="s",
        timestamp="2024-04-02T09:00:00+00:00", sync=True,
    )  # fmt: skip
    assert smem.get(stored[0].id).text == "I moved to Lisbon in March."
    hits = smem.search("Where did Ana move?", user_id="u", k=3)
    found = {m.id for h in hits for m in (h.memory, *h.sources)}
    assert stored[0].id in found  # indexed by the LLM-free path (as itself, or a fact's source)
    rule_facts = smem.get_all(user_id="u", filters={"kind": "fact"}).memories
    assert rule_facts  # the LLM-free facts stay until the model's replace them
    [job] = smem.jobs()
    assert job.status.value == "failed" and job.attempts == 1
    assert job.error is not None and job.error.startswith(error)
    assert job.payload == {"episode_ids": [stored[0].id]}
    assert smem.usage()["extract_facts"]["failed"] == 1
    assert smem.retry() == {"requeued": 1, "done": 1, "failed": 0}
    [job] = smem.jobs()
    assert (job.status.value, job.attempts, job.error) == ("done", 2, None)
    facts = smem.get_all(user_id="u", filters={"kind": "fact"}).memories
    assert [f.text for f in facts] == ["Ana lives in Lisbon."]


def test_an_unreachable_model_loses_nothing(tmp_path, clock, spacy_parser) -> None:
    from tests.llm.conftest import open_llm_memory

    from engramdb.providers.llm import OpenAICompatible

    dead = OpenAICompatible(base_url="http://127.0.0.1:9/v1", model="m", timeout=1)
    with open_llm_memory(tmp_path / "m.db", clock, dead, spacy_parser) as mem:
        stored = mem.add([say("Ana", "I moved to Lisbon.")], user_id="u", sync=True)
        assert mem.get(stored[0].id).text == "I moved to Lisbon."
        assert mem.jobs()[0].error.startswith("LLMUnavailable: cannot reach")


def test_queued_jobs_survive_a_restart(tmp_path, clock, llm, spacy_parser, brain: Brain) -> None:
    from tests.llm.conftest import open_llm_memory

    brain.facts = lambda t: [fact("Ana lives in Lisbon.", "Ana", "lives_in", "Lisbon", None,
                                  t[0][0])]  # fmt: skip
    with open_llm_memory(tmp_path / "m.db", clock, llm, spacy_parser) as mem:
        mem.add([say("Ana", "I moved to Lisbon.")], user_id="u")  # queued, not run
        assert [j.status.value for j in mem.jobs()] == ["pending"]
    with open_llm_memory(tmp_path / "m.db", clock, llm, spacy_parser) as mem:
        assert mem.run_jobs() == {"done": 1, "failed": 0}
        assert [f.text for f in mem.get_all(user_id="u", filters={"kind": "fact"}).memories] == [
            "Ana lives in Lisbon."
        ]


def test_a_failed_add_queues_no_job(smem: Memory) -> None:
    with pytest.raises(Exception, match="role"):
        smem.add([{"role": "narrator", "content": "x"}], user_id="u")
    assert smem.jobs() == []


def test_a_job_whose_turns_were_deleted_is_done_without_a_call(
    smem: Memory, llm_server: ScriptedLLMServer
) -> None:
    stored = smem.add([say("Ana", "I moved to Lisbon.")], user_id="u")
    smem.delete(stored[0].id)
    assert smem.run_jobs() == {"done": 1, "failed": 0}
    assert llm_server.requests == []
