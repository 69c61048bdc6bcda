"""Prompts, tolerant parsing, id aliases and the call policy (retries, backoff, cache, usage)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from engramdb.errors import LLMError, LLMOutputError, LLMUnavailable
from engramdb.pipeline.llm.aliases import alias_ids, resolve_aliases
from engramdb.pipeline.llm.parse import loads_tolerant
from engramdb.pipeline.llm.render import load_prompt
from engramdb.pipeline.llm.runner import CallPolicy, LLMRunner
from engramdb.pipeline.llm.schemas import GistOutput, JudgedAnswer
from engramdb.providers.llm import OpenAICompatible
from engramdb.testing import FrozenClock
from engramdb.testing.llm_server import Reply, ScriptedLLMServer

PROMPTS = ["extract_facts", "judge_conflict", "gist", "answer", "judge_answer"]


@pytest.fixture
def server() -> Any:
    with ScriptedLLMServer() as scripted:
        yield scripted


def runner(
    server: ScriptedLLMServer, waits: list[float], timeout: float = 10.0, **policy: Any
) -> LLMRunner:
    model = OpenAICompatible(
        base_url=server.url, model="m", timeout=timeout, input_price=2.0, output_price=8.0
    )
    return LLMRunner(
        model, FrozenClock(datetime(2024, 2, 29, tzinfo=UTC)), CallPolicy(**policy), waits.append
    )


@pytest.mark.parametrize("name", PROMPTS)
def test_every_prompt_has_a_version_and_renders_today_from_the_clock(name: str) -> None:
    prompt = load_prompt(name)
    assert prompt.id == f"{name}@{prompt.version}" and prompt.version
    names = "known context turns pairs words memories question gold generated"
    variables = dict.fromkeys(names.split(), "x")
    one = prompt.render(now=datetime(2023, 5, 25, tzinfo=UTC), **variables)
    two = prompt.render(now=datetime(2031, 1, 2, tzinfo=UTC), **variables)
    assert [m["role"] for m in one] == ["system", "user"]
    if "$today" in prompt.system.template:
        assert "2023-05-25" in one[0]["content"] and "2031-01-02" in two[0]["content"]


@pytest.mark.parametrize(
    "text",
    [
        '{"gist": "ok"}',
        '```json\n{"gist": "ok"}\n```',
        'Sure! Here is the JSON:\n{"gist": "ok"}\nHope this helps.',
        '{"gist": "ok",}',
        "{“gist”: “ok”}",
    ],
)
def test_weak_json_from_local_models_is_read(text: str) -> None:
    assert loads_tolerant(text) == {"gist": "ok"}


def test_text_without_json_is_refused() -> None:
    with pytest.raises(ValueError, match="no JSON"):
        loads_tolerant("I cannot help with that.")


def test_aliases_round_trip_and_invented_ones_are_dropped() -> None:
    ids = ["01HXA", "01HXB", "01HXA", "01HXC"]
    table = alias_ids(ids, "T")
    assert table == {"T1": "01HXA", "T2": "01HXB", "T3": "01HXC"}
    assert resolve_aliases(["T3", "[t1]", "T 2", "T9", "X1", "T3"], table) == [
        "01HXC",
        "01HXA",
        "01HXB",
    ]


def test_malformed_json_is_retried_then_accepted(server: ScriptedLLMServer) -> None:
    waits: list[float] = []
    server.push(Reply(content="the gist is: they talked"), Reply(content={"gist": "They talked."}))
    ask = runner(server, waits, backoff_s=0.25)
    result, prompt_id = ask.ask("gist", GistOutput, words="10", turns="A: hi")
    assert result.gist == "They talked." and prompt_id == "gist@1"
    assert waits == [0.25]
    usage = ask.usage()["gist"]
    assert (usage["calls"], usage["retries"], usage["failed"]) == (2, 1, 0)


def test_a_wrong_schema_every_time_fails_with_the_raw_answer(server: ScriptedLLMServer) -> None:
    waits: list[float] = []
    server.push(*[Reply(content={"summary": "wrong key"})] * 3)
    ask = runner(server, waits, backoff_s=1.0)
    with pytest.raises(LLMOutputError) as caught:
        ask.ask("gist", GistOutput, words="10", turns="A: hi")
    assert caught.value.stage == "gist" and "wrong key" in caught.value.raw
    assert "schema" in str(caught.value)
    assert waits == [1.0, 2.0]  # exponential backoff
    assert ask.usage()["gist"]["failed"] == 1


def test_rate_limits_wait_as_long_as_the_server_asks(server: ScriptedLLMServer) -> None:
    waits: list[float] = []
    server.push(Reply(status=429, headers={"Retry-After": "3"}), Reply(content={"gist": "ok"}))
    runner(server, waits, max_wait_s=60).ask("gist", GistOutput, words="10", turns="A: hi")
    assert waits == [3.0]


def test_waits_are_capped(server: ScriptedLLMServer) -> None:
    waits: list[float] = []
    server.push(Reply(status=429, headers={"Retry-After": "3600"}), Reply(content={"gist": "ok"}))
    runner(server, waits, max_wait_s=5).ask("gist", GistOutput, words="10", turns="A: hi")
    assert waits == [5.0]


def test_timeouts_and_5xx_give_up_after_the_attempts(server: ScriptedLLMServer) -> None:
    waits: list[float] = []
    server.push(Reply(status=503), Reply(content="{}", delay=2), Reply(status=500))
    ask = runner(server, waits, timeout=0.5, attempts=3, backoff_s=0)
    with pytest.raises(LLMUnavailable):
        ask.ask("gist", GistOutput, words="10", turns="A: hi")
    assert len(server.requests) == 3 and ask.usage()["gist"]["failed"] == 1


def test_an_error_retrying_cannot_fix_is_not_retried(server: ScriptedLLMServer) -> None:
    server.push(Reply(status=401))
    with pytest.raises(LLMError):
        runner(server, []).ask("gist", GistOutput, words="10", turns="A: hi")
    assert len(server.requests) == 1


def test_identical_prompts_are_answered_from_the_cache(server: ScriptedLLMServer) -> None:
    server.push(Reply(content={"label": "correct"}))
    ask = runner(server, [])
    for _ in range(3):
        judged, _ = ask.ask("judge_answer", JudgedAnswer, question="q", gold="a", generated="a")
        assert judged.label == "CORRECT"  # lower case from a local model is accepted
    assert len(server.requests) == 1
    assert ask.usage()["judge_answer"]["cached"] == 2


def test_tokens_and_cost_are_counted_per_operation(server: ScriptedLLMServer) -> None:
    server.push(Reply(content={"gist": "ok"}))
    ask = runner(server, [])
    ask.ask("gist", GistOutput, words="10", turns="A: hi")
    usage = ask.usage()["gist"]
    assert usage["prompt_tokens"] > 50 and usage["completion_tokens"] > 0
    expected = (usage["prompt_tokens"] * 2.0 + usage["completion_tokens"] * 8.0) / 1e6
    assert usage["cost"] == pytest.approx(expected, abs=1e-6)
    assert usage["latency_p50_s"] is not None
