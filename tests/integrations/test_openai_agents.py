"""The OpenAI Agents SDK runs an agent on engramdb: its session, and its memory tools.

The model is a scripted OpenAI-compatible server on loopback; everything else (the runner,
the tool calls, the session's reads and writes) is the SDK's own code path.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("agents")

from agents import (
    Agent,
    OpenAIChatCompletionsModel,
    Runner,
    set_tracing_disabled,
)
from openai import AsyncOpenAI

from engramdb import Memory
from engramdb.integrations.openai_agents import EngramSession, memory_tools
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.testing import HashEmbedder
from engramdb.testing.llm_server import Reply, ScriptedLLMServer

set_tracing_disabled(True)  # nothing leaves the machine


@pytest.fixture
def mem() -> Iterator[Memory]:
    with Memory.open(":memory:", embedder=HashEmbedder(), parser=RulesParser()) as memory:
        yield memory


def _completion(message: dict[str, Any], finish: str = "stop") -> Reply:
    body = {
        "id": "chatcmpl-scripted", "object": "chat.completion", "created": 0, "model": "scripted",
        "choices": [{"index": 0, "message": {"role": "assistant", **message},
                     "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }  # fmt: skip
    return Reply(body=json.dumps(body).encode())


def _tool_call(name: str, **arguments: Any) -> Reply:
    call = {"id": f"call_{name}", "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)}}  # fmt: skip
    return _completion({"content": None, "tool_calls": [call]}, finish="tool_calls")


async def _two_runs(server: ScriptedLLMServer, mem: Memory, session: EngramSession) -> Any:
    client = AsyncOpenAI(base_url=server.url, api_key="none")
    model = OpenAIChatCompletionsModel(model="scripted", openai_client=client)
    agent = Agent(name="assistant", instructions="Remember and recall.", model=model,
                  tools=memory_tools(mem, user_id="ana"))  # fmt: skip
    try:
        first = await Runner.run(agent, "My cat is called Miso.", session=session)
        second = await Runner.run(agent, "What is my cat called?", session=session)
    finally:
        await client.close()
    return first, second


def test_an_agent_remembers_with_its_tools_and_resumes_its_session(mem: Memory) -> None:
    session = EngramSession("chat-1", mem, user_id="ana")
    with ScriptedLLMServer() as server:
        server.push(
            _tool_call("remember", content="Ana's cat is called Miso"),
            _completion({"content": "I'll remember that."}),
            _tool_call("recall", query="What is Ana's cat called?"),
            _completion({"content": "Your cat is Miso."}),
        )
        first, second = asyncio.run(_two_runs(server, mem, session))
    assert first.final_output == "I'll remember that."
    assert second.final_output == "Your cat is Miso."
    tool_results = [m for m in server.requests[3]["messages"] if m["role"] == "tool"]
    assert tool_results[0]["content"].startswith("remembered")  # the first run's, resumed
    tool_result = tool_results[-1]  # the recall tool's answer, as the model saw it
    assert "Miso" in tool_result["content"]
    # the second run was sent the first run's conversation, read back from the session
    first_turns = [m.get("content") for m in server.requests[2]["messages"]]
    assert "My cat is called Miso." in first_turns and "I'll remember that." in first_turns
    hits = mem.search("cat", user_id="ana")
    assert any("Miso" in h.memory.text for h in hits)  # remembered, and the chat recalled too


def test_the_session_protocol(mem: Memory) -> None:
    session = EngramSession("s", mem, user_id="u")

    async def scenario() -> list[Any]:
        await session.add_items([{"role": "user", "content": "yes"},
                                 {"role": "assistant", "content": "ok"},
                                 {"role": "user", "content": "yes"}])  # fmt: skip
        everything = await session.get_items()
        latest = await session.get_items(limit=2)
        popped = await session.pop_item()
        after_pop = await session.get_items()
        await session.clear_session()
        return [everything, latest, popped, after_pop, await session.get_items()]

    everything, latest, popped, after_pop, cleared = asyncio.run(scenario())
    assert [i["content"] for i in everything] == ["yes", "ok", "yes"]
    assert [i["content"] for i in latest] == ["ok", "yes"]
    assert popped == {"role": "user", "content": "yes"}
    assert [i["content"] for i in after_pop] == ["yes", "ok"]
    assert cleared == []
