"""The OpenAI-compatible client over real HTTP, against every way a server can misbehave."""

from __future__ import annotations

import threading
import time
from email.utils import formatdate
from typing import Any

import pytest

from engramdb.errors import ConfigError, LLMError, LLMUnavailable
from engramdb.providers.llm import OpenAICompatible, llm_from_env
from engramdb.providers.llm.tokens import count_tokens
from engramdb.testing.llm_server import Reply, ScriptedLLMServer

ASK = [{"role": "user", "content": "Say hello as JSON"}]


@pytest.fixture
def server() -> Any:
    with ScriptedLLMServer() as scripted:
        yield scripted


def client(server: ScriptedLLMServer, **options: Any) -> OpenAICompatible:
    return OpenAICompatible(base_url=server.url, model="m", **{"timeout": 1.0, **options})


def test_a_good_answer_with_the_servers_token_counts(server: ScriptedLLMServer) -> None:
    server.push(Reply(content={"hello": "world"}))
    reply = client(server).chat(ASK)
    assert reply.text == '{"hello": "world"}'
    assert reply.model == "m"
    assert reply.prompt_tokens == count_tokens(ASK[0]["content"])
    assert reply.completion_tokens == count_tokens(reply.text)
    assert server.requests[0]["response_format"] == {"type": "json_object"}
    assert server.requests[0]["temperature"] == 0.0


def test_tokens_are_counted_locally_when_the_server_reports_none(
    server: ScriptedLLMServer,
) -> None:
    body = b'{"choices": [{"message": {"content": "fine, thanks"}}]}'
    server.push(Reply(body=body))
    reply = client(server).chat(ASK)
    assert (reply.prompt_tokens, reply.completion_tokens) == (
        count_tokens(ASK[0]["content"]),
        count_tokens("fine, thanks"),
    )


def test_json_mode_can_be_turned_off_for_servers_that_reject_it(
    server: ScriptedLLMServer,
) -> None:
    server.push(Reply(content="{}"))
    client(server, json_mode=False).chat(ASK)
    assert "response_format" not in server.requests[0]


@pytest.mark.parametrize("as_date", [False, True])
def test_429_says_how_long_to_wait(server: ScriptedLLMServer, as_date: bool) -> None:
    expected = 30.0
    header = formatdate(time.time() + expected, usegmt=True) if as_date else "30"
    server.push(Reply(status=429, headers={"Retry-After": header}))
    with pytest.raises(LLMUnavailable) as caught:
        client(server).chat(ASK)
    assert caught.value.status == 429
    assert caught.value.retry_after_s == pytest.approx(expected, abs=2)


def test_a_5xx_is_retryable_and_a_401_is_not(server: ScriptedLLMServer) -> None:
    server.push(Reply(status=500), Reply(status=401, body=b'{"error": "bad key"}'))
    with pytest.raises(LLMUnavailable):
        client(server).chat(ASK)
    with pytest.raises(LLMError) as caught:
        client(server).chat(ASK)
    assert not isinstance(caught.value, LLMUnavailable)
    assert caught.value.status == 401 and "bad key" in str(caught.value)


def test_a_server_that_stalls_is_cut_off_at_the_timeout(server: ScriptedLLMServer) -> None:
    server.push(Reply(content="{}", delay=3))
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="timed out"):
        client(server, timeout=0.5).chat(ASK)
    assert time.monotonic() - started < 2.5


def test_a_trickled_answer_is_cut_off_at_the_deadline(server: ScriptedLLMServer) -> None:
    server.push(Reply(content={"text": "x" * 200}, trickle=0.1))  # ~25 s if read to the end
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="longer than"):
        client(server, timeout=1.0).chat(ASK)
    assert time.monotonic() - started < 3


def test_a_malformed_envelope_and_a_dead_server_are_retryable(server: ScriptedLLMServer) -> None:
    server.push(Reply(body=b"<html>gateway</html>"))
    with pytest.raises(LLMUnavailable, match="malformed"):
        client(server).chat(ASK)
    dead = OpenAICompatible(base_url="http://127.0.0.1:9/v1", model="m", timeout=1)
    with pytest.raises(LLMUnavailable, match="cannot reach"):
        dead.chat(ASK)


def test_no_more_calls_in_flight_than_the_limit(server: ScriptedLLMServer) -> None:
    in_flight = peak = 0
    lock = threading.Lock()

    def slow(request: dict[str, Any]) -> dict[str, Any]:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.2)
        with lock:
            in_flight -= 1
        return {}

    server.responder = slow
    limited = client(server, max_concurrency=2, timeout=5)
    threads = [threading.Thread(target=limited.chat, args=(ASK,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.requests) == 6 and peak == 2


def test_bad_configuration_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="http"):
        OpenAICompatible(base_url="localhost:11434", model="m")
    with pytest.raises(ConfigError, match="model"):
        OpenAICompatible(base_url="http://x", model="")
    with pytest.raises(ConfigError, match="max_concurrency"):
        OpenAICompatible(base_url="http://x", model="m", max_concurrency=0)


def test_the_environment_names_the_model() -> None:
    assert llm_from_env({}) is None
    env = {
        "ENGRAMDB_LLM_BASE_URL": "http://localhost:11434/v1",
        "ENGRAMDB_LLM_MODEL": "llama3.1",
        "ENGRAMDB_LLM_TIMEOUT": "5",
        "ENGRAMDB_LLM_CONCURRENCY": "2",
        "ENGRAMDB_LLM_PRICES": "0.15,0.6",
        "ENGRAMDB_LLM_JSON_MODE": "0",
    }
    model = llm_from_env(env)
    assert model is not None
    assert (model.name, model.timeout, model.json_mode) == ("openai-compatible:llama3.1", 5, False)
    assert (model.input_price, model.output_price) == (0.15, 0.6)
    with pytest.raises(ConfigError, match="ENGRAMDB_LLM_MODEL"):
        llm_from_env({"ENGRAMDB_LLM_BASE_URL": "http://x"})
    with pytest.raises(ConfigError, match="ENGRAMDB_LLM_TIMEOUT"):
        llm_from_env({**env, "ENGRAMDB_LLM_TIMEOUT": "soon"})
    with pytest.raises(ConfigError, match="prices"):
        llm_from_env({**env, "ENGRAMDB_LLM_PRICES": "cheap"})
