"""The MCP server end to end with the real MCP client: in process, over stdio and over HTTP."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from tests.server.conftest import free_port

from engramdb import InvalidInput, Memory
from engramdb.cli.main import cli
from engramdb.mcp_server import McpScope, build_mcp_server
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.testing import HashEmbedder

TOOLS = {
    "remember", "recall", "get_context", "about", "update", "forget", "record_attempt", "how_to",
}  # fmt: skip


def _command(db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "engramdb", "mcp", "--db", str(db), "--user", "ana", *extra]


def _env() -> dict[str, str]:
    return {**os.environ, "ENGRAMDB_EMBEDDER": "hash"}


async def _remember_then_recall(client: Client) -> dict[str, Any]:
    listed = await client.list_tools()
    assert {tool.name for tool in listed.tools} == TOOLS
    assert all(tool.description for tool in listed.tools)
    stored = await client.call_tool(
        "remember", {"content": "I adopted a dog called Max in Lisbon", "speaker": "Ana"}
    )
    assert not stored.is_error
    recalled = await client.call_tool("recall", {"query": "What is the name of Ana's dog?"})
    assert not recalled.is_error
    return recalled.structured_content or {}


def test_tools_in_process() -> None:
    async def scenario() -> None:
        memory = Memory.open(":memory:", embedder=HashEmbedder(), parser=RulesParser())
        scope = McpScope.checked(user_id="ana", agent_id=None, tenant_id="acme")
        async with Client(build_mcp_server(memory, scope)) as client:
            found = await _remember_then_recall(client)
            texts = [m["text"] for m in found["memories"]]
            assert any("Max" in t for t in texts)
            context = await client.call_tool("get_context", {"task": "buy food for Max"})
            assert "Max" in context.content[0].text  # type: ignore[union-attr]
            about = await client.call_tool("about", {"name": "Ana"})
            assert about.structured_content and about.structured_content["kind"] == "person"
            memory_id = found["memories"][0]["id"]
            fixed = await client.call_tool("update", {"memory_id": memory_id, "text": "Max is 3"})
            assert not fixed.is_error
            gone = await client.call_tool("forget", {"memory_id": memory_id})
            assert gone.structured_content["forgotten"] >= 1  # type: ignore[index]
            missing = await client.call_tool("forget", {"memory_id": memory_id})
            assert missing.is_error and "NotFound" in missing.content[0].text  # type: ignore[union-attr]
            attempt = {"task": "Book a table at Nopa for 4", "steps": ["call()", "confirm()"]}
            assert not (
                await client.call_tool("record_attempt", {**attempt, "succeeded": True})
            ).is_error
            learned = await client.call_tool("how_to", {"task": "Book a table at Zuni for 2"})
            assert learned.structured_content["procedures"][0]["steps"] == attempt["steps"]  # type: ignore[index]
            empty = await client.call_tool("remember", {"content": "   "})
            assert empty.is_error and "InvalidInput" in empty.content[0].text  # type: ignore[union-attr]
        assert memory.for_tenant("acme").get_all(user_id="ana").memories
        assert memory.get_all(user_id="ana").memories[0].scope.tenant_id == "acme"
        memory.close()

    asyncio.run(scenario())


def test_scope_must_name_a_user_or_agent() -> None:
    with pytest.raises(InvalidInput):
        McpScope.checked(user_id=None, agent_id=None, tenant_id=None)


def test_http_transport_stays_on_loopback(tmp_path: Path) -> None:
    args = _command(tmp_path / "m.db", "--transport", "http", "--host", "0.0.0.0")[3:]
    result = CliRunner().invoke(cli, args, env={"ENGRAMDB_EMBEDDER": "hash"})
    assert result.exit_code == 2 and "loopback" in result.output


def test_stdio_server_from_the_cli(tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable, args=_command(tmp_path / "m.db")[1:], env=_env()
    )

    async def scenario() -> dict[str, Any]:
        async with Client(params) as client:
            return await _remember_then_recall(client)

    found = asyncio.run(scenario())
    assert any("Max" in m["text"] for m in found["memories"])


@pytest.fixture
def http_mcp(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    args = _command(tmp_path / "m.db", "--transport", "http", "--port", str(port))
    log = (tmp_path / "mcp.log").open("w")
    process = subprocess.Popen(args, env=_env(), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=20)
    log.close()


def test_streamable_http_server_from_the_cli(http_mcp: str) -> None:
    async def scenario() -> dict[str, Any]:
        async with Client(http_mcp) as client:
            return await _remember_then_recall(client)

    found = asyncio.run(scenario())
    assert any("Max" in m["text"] for m in found["memories"])
