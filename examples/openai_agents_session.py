"""An OpenAI Agents SDK agent whose session and memory tools are engramdb.

Run: python examples/openai_agents_session.py [STORE]

With ENGRAMDB_LLM_BASE_URL (and ENGRAMDB_LLM_MODEL, ENGRAMDB_LLM_API_KEY) it talks to that
OpenAI-compatible server (Ollama, vLLM, ...); without, to a scripted one on loopback.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from agents import Agent, OpenAIChatCompletionsModel, Runner, set_tracing_disabled
from openai import AsyncOpenAI

from engramdb import Memory
from engramdb.integrations.openai_agents import EngramSession, memory_tools
from engramdb.testing.llm_server import Reply, ScriptedLLMServer


def scripted(message: dict[str, Any]) -> Reply:
    """One chat-completions answer of the scripted model."""
    choice = {"index": 0, "message": {"role": "assistant", **message},
              "finish_reason": "tool_calls" if message.get("tool_calls") else "stop"}  # fmt: skip
    body = {"id": "x", "object": "chat.completion", "created": 0, "model": "scripted",
            "choices": [choice], "usage": {"prompt_tokens": 1, "completion_tokens": 1,
                                           "total_tokens": 2}}  # fmt: skip
    return Reply(body=json.dumps(body).encode())


def call(name: str, **arguments: str) -> Reply:
    """The scripted model calling a tool."""
    function = {"name": name, "arguments": json.dumps(arguments)}
    return scripted({"content": None, "tool_calls": [{"id": name, "type": "function",
                                                      "function": function}]})  # fmt: skip


async def conversation(base_url: str, model_name: str, api_key: str, mem: Memory) -> None:
    """Two runs: the agent remembers a fact, then recalls it in a new question."""
    client = AsyncOpenAI(base_url=base_url, api_key=api_key)
    agent = Agent(
        name="assistant",
        instructions="Use remember for facts about the user and recall to answer about them.",
        model=OpenAIChatCompletionsModel(model=model_name, openai_client=client),
        tools=memory_tools(mem, user_id="ana"),
    )
    session = EngramSession("chat-1", mem, user_id="ana")
    try:
        for question in ("My cat is called Miso.", "What is my cat called?"):
            result = await Runner.run(agent, question, session=session)
            print(f"> {question}\n{result.final_output}")
    finally:
        await client.close()
    print(f"session items: {len(await session.get_items())}")


def main(path: Path) -> None:
    """Run the conversation against the configured server, or the scripted one."""
    set_tracing_disabled(True)
    with Memory.open(path) as mem:
        url = os.environ.get("ENGRAMDB_LLM_BASE_URL")
        if url:
            model = os.environ.get("ENGRAMDB_LLM_MODEL", "llama3.1")
            key = os.environ.get("ENGRAMDB_LLM_API_KEY", "none")
            asyncio.run(conversation(url, model, key, mem))
            return
        with ScriptedLLMServer() as server:
            server.push(
                call("remember", content="Ana's cat is called Miso"),
                scripted({"content": "I'll remember that your cat is Miso."}),
                call("recall", query="What is Ana's cat called?"),
                scripted({"content": "Your cat is called Miso."}),
            )
            asyncio.run(conversation(server.url, "scripted", "none", mem))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp) / "agent.db")
