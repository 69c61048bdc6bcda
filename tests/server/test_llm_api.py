"""The LLM layer over REST: answers, jobs and retry per tenant, usage, and clear errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.conftest import T0
from tests.llm.conftest import NO_WAIT, Brain
from tests.server.conftest import Served, serve_memory

from engramdb import Memory
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.providers.llm import OpenAICompatible
from engramdb.testing import FrozenClock, HashEmbedder
from engramdb.testing.llm_server import Reply, ScriptedLLMServer


@pytest.fixture
def llm_served() -> Iterator[tuple[Served, ScriptedLLMServer]]:
    with ScriptedLLMServer(Brain()) as server:
        llm = OpenAICompatible(base_url=server.url, model="scripted", timeout=2)
        with Memory.open(
            ":memory:", embedder=HashEmbedder(), clock=FrozenClock(T0), parser=RulesParser(),
            llm=llm, llm_policy=NO_WAIT, background=False,
        ) as memory:  # fmt: skip
            yield serve_memory(memory), server


def test_answer_with_citations(llm_served: tuple[Served, ScriptedLLMServer]) -> None:
    served, _ = llm_served
    acme = served.client(served.acme)
    added = acme.post(
        "/v1/memories",
        json={
            "messages": [{"role": "user", "name": "Ana", "content": "My dog is called Pixel."}],
            "user_id": "ana",
        },
    )
    assert added.status_code == 201, added.text
    turn_id = added.json()["memories"][0]["id"]
    answered = acme.post("/v1/answer", json={"question": "What is Ana's dog called?",
                                             "user_id": "ana"})  # fmt: skip
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert "Pixel" in body["answer"] and turn_id in body["sources"]
    assert body["prompt"] == "answer@1" and body["context"]["query"]
    assert acme.get("/v1/usage").json()["answer"]["calls"] == 1


def test_jobs_and_retry_are_per_tenant(llm_served: tuple[Served, ScriptedLLMServer]) -> None:
    served, server = llm_served
    acme, globex = served.client(served.acme), served.client(served.globex)
    server.push(*[Reply(status=500)] * 3)
    message = {"role": "user", "name": "Ana", "content": "I moved to Lisbon."}
    assert (
        acme.post("/v1/memories", json={"messages": [message], "user_id": "a"}).status_code == 201
    )
    served.memory.run_jobs()  # what the server's worker thread does in the background
    failed = acme.get("/v1/jobs", params={"status": "failed"}).json()["jobs"]
    assert len(failed) == 1 and "500" in failed[0]["error"]
    assert globex.get("/v1/jobs").json() == {"jobs": []}
    assert globex.post("/v1/jobs/retry", json={}).json() == {"requeued": 0, "done": 0, "failed": 0}
    retried = acme.post("/v1/jobs/retry", json={"job_ids": [failed[0]["id"]]})
    assert retried.json() == {"requeued": 1, "done": 1, "failed": 0}
    assert acme.get("/v1/jobs", params={"status": "bogus"}).status_code == 422


def test_a_failing_model_is_a_502_and_no_model_a_501(
    llm_served: tuple[Served, ScriptedLLMServer], served: Served
) -> None:
    with_llm, server = llm_served
    server.push(*[Reply(status=500)] * 3)
    failed = with_llm.client(with_llm.acme).post(
        "/v1/answer", json={"question": "Where?", "user_id": "a"}
    )
    assert failed.status_code == 502 and failed.json()["error"]["type"] == "LLMUnavailable"
    missing = served.client(served.acme).post("/v1/answer", json={"question": "Where?",
                                                                  "user_id": "a"})  # fmt: skip
    assert missing.status_code == 501 and "needs an LLM" in missing.json()["error"]["message"]
