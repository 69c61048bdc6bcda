"""The attacker of ``test_attacks`` again, over REST (its own API key) and over MCP.

Every request the attacker can make with every victim id, on every backend: the
victim's export and keys stay byte-identical and no victim word reaches the attacker.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from tests.conformance.test_attacks import (
    IMPORTS,
    SECRETS,
    USER,
    Victim,
    _crafted,
    _export_of,
    _seed_victim,
    _snapshot,
    _victim_ids,
)
from tests.conftest import T0, backend_location, say

from engramdb import Memory
from engramdb.mcp_server import McpScope, build_mcp_server
from engramdb.model.ids import new_id
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.server import create_app
from engramdb.testing import FrozenClock, HashEmbedder

Request = tuple[str, str, dict[str, Any]]  # method, path, keyword arguments of the client


def _requests(v: Victim, n: int) -> list[Request]:
    """Every REST request of the attacker, aimed at the ``n``-th victim ids."""
    memory, entity = v.memories[n % len(v.memories)], v.entities[n % len(v.entities)]
    key = v.keys[n % len(v.keys)]
    scope = {"user_id": USER}
    imports = [
        ("POST", "/v1/import", {"content": _export_of(_crafted(kind, target, new_id(T0))).read()})
        for kind, source in IMPORTS.items()
        for target in [
            {
                "memories": memory,
                "entities": entity,
                "relations": v.relations[n % len(v.relations)],
            }[source]
        ]
    ]
    return [
        ("GET", f"/v1/memories/{memory}", {}),
        ("PATCH", f"/v1/memories/{memory}", {"json": {"text": "pwned"}}),
        ("DELETE", f"/v1/memories/{memory}", {}),
        ("POST", f"/v1/memories/{memory}/archive", {}),
        ("POST", f"/v1/memories/{memory}/restore", {}),
        ("GET", f"/v1/memories/{memory}/history", {}),
        ("POST", "/v1/feedback", {"json": {"memory_ids": [memory]}}),
        ("POST", "/v1/forget", {"json": {"memory_id": memory}}),
        ("POST", "/v1/forget", {"json": scope}),
        ("DELETE", "/v1/memories", {"params": scope}),
        ("POST", "/v1/memories", {"json": {"messages": "hi Ana", **scope}}),
        ("POST", "/v1/memories/batch", {"json": {"items": [{"messages": "hi", **scope}]}}),
        ("POST", "/v1/search", {"json": {"query": " ".join(SECRETS), **scope, "k": 50}}),
        ("POST", "/v1/context", {"json": {"query": "Where does Ana live?", **scope}}),
        ("GET", "/v1/memories", {"params": {**scope, "limit": 1000}}),
        ("GET", "/v1/entities", {"params": scope}),
        ("GET", f"/v1/entities/{entity}", {"params": scope}),
        ("GET", "/v1/entities/Ana", {"params": scope}),
        ("GET", "/v1/profiles/Ana", {"params": scope}),
        ("POST", "/v1/consolidate", {"json": scope}),
        ("POST", "/v1/fade", {"json": {**scope, "threshold": 1.0}}),
        (
            "POST",
            "/v1/trajectories",
            {"json": {"task": "bake a cake", "steps": ["x"], "outcome": "failure", **scope}},
        ),
        ("GET", "/v1/procedures", {"params": {"task": "bake marzipan cake", **scope}}),
        ("GET", "/v1/jobs", {}),
        ("GET", "/v1/export", {}),
        ("GET", "/v1/admin/keys", {}),
        ("DELETE", f"/v1/admin/keys/{key}", {}),
        ("POST", "/v1/admin/keys", {"json": {"tenant_id": "victim", "admin": True}}),
        *imports,
    ]


@pytest.fixture
def arena(backend: str, tmp_path: Path) -> Iterator[tuple[Memory, Victim, TestClient]]:
    location = backend_location(backend, tmp_path)
    clock = FrozenClock(T0)
    with Memory.open(location, embedder=HashEmbedder(), clock=clock, parser=RulesParser()) as mem:
        _seed_victim(mem.for_tenant("victim"))
        mem.for_tenant("attacker").add([say("Ana", "I moved to Lisbon")], user_id=USER)
        _, secret = mem.keys.create("attacker")
        client = TestClient(
            create_app(mem),
            headers={"Authorization": f"Bearer {secret}"},
            raise_server_exceptions=False,
        )
        yield mem, _victim_ids(mem), client


def _check(mem: Memory, before: str, what: str, seen: str) -> None:
    assert not [word for word in SECRETS if word.lower() in seen.lower()], (what, seen)
    assert _snapshot(mem) == before, what


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(picks=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 50)), max_size=6))
def test_no_request_with_the_attackers_key_reads_or_changes_the_victim(
    arena: tuple[Memory, Victim, TestClient], picks: list[tuple[int, int]]
) -> None:
    mem, victim, client = arena
    before = _snapshot(mem)
    for which, n in picks:
        requests = _requests(victim, n)
        method, path, options = requests[which % len(requests)]
        response = client.request(method, path, **options)
        assert response.status_code < 500 or response.status_code == 501, (path, response.text)
        _check(mem, before, f"{method} {path}", response.text)


def test_every_request_once(arena: tuple[Memory, Victim, TestClient]) -> None:
    mem, victim, client = arena
    before = _snapshot(mem)
    for method, path, options in _requests(victim, 0):
        response = client.request(method, path, **options)
        assert response.status_code < 500 or response.status_code == 501, (path, response.text)
        _check(mem, before, f"{method} {path}", response.text)
        if "/admin/" in path:
            assert response.status_code == 403
        if path == "/v1/import":
            assert response.status_code == 422, response.text


def test_mcp_tools_of_the_attacker_reach_nothing_of_the_victim(
    arena: tuple[Memory, Victim, TestClient],
) -> None:
    mem, victim, _ = arena
    scope = McpScope.checked(user_id=USER, agent_id=None, tenant_id="attacker")
    calls: list[tuple[str, dict[str, Any]]] = [
        ("recall", {"query": " ".join(SECRETS), "k": 50}),
        ("get_context", {"task": "Where does Ana live? Zanzibar"}),
        ("about", {"name": "Ana"}),
        ("how_to", {"task": "bake marzipan cake"}),
        ("remember", {"content": "Ana moved to Lisbon", "speaker": "Ana"}),
        ("record_attempt", {"task": "bake a cake", "steps": ["x"], "succeeded": False}),
        *[("update", {"memory_id": m, "text": "pwned"}) for m in victim.memories],
        *[("forget", {"memory_id": m}) for m in victim.memories],
    ]

    async def attack() -> None:
        before = _snapshot(mem)
        async with Client(build_mcp_server(mem, scope)) as client:
            for tool, arguments in calls:
                result = await client.call_tool(tool, arguments)
                seen = json.dumps([c.model_dump() for c in result.content], default=str)
                _check(mem, before, tool, seen + json.dumps(result.structured_content))

    asyncio.run(attack())
