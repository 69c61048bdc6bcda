"""Property: two tenants with random data; no request of one ever returns an id of the other."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.server.conftest import serve_memory

from engramdb import Memory
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.testing import HashEmbedder

WORDS = ["Lisbon", "cello", "Google", "Max", "race", "May", "tea", "Boston", "book", "sister"]
USERS = ["u1", "u2", "shared"]  # the same user ids exist in both tenants

sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(
    lambda words: "I like " + " and ".join(words)
)
record = st.tuples(st.sampled_from(["acme", "globex"]), st.sampled_from(USERS), sentence)


def _ids(payload: object) -> set[str]:
    """Every memory id anywhere in a response body."""
    found: set[str] = set()
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key in {"id", "memory_id"} and isinstance(value, str):
                found.add(value)
            elif key in {"sources", "deleted"} and isinstance(value, list):
                found.update(v for v in value if isinstance(v, str))
            found |= _ids(value)
    elif isinstance(payload, list):
        for value in payload:
            found |= _ids(value)
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(record, min_size=2, max_size=12), queries=st.lists(sentence, max_size=3))
def test_no_request_of_one_tenant_returns_an_id_of_the_other(
    records: list[tuple[str, str, str]], queries: list[str]
) -> None:
    with Memory.open(":memory:", embedder=HashEmbedder(), parser=RulesParser()) as memory:
        served = serve_memory(memory)
        clients = {"acme": served.client(served.acme), "globex": served.client(served.globex)}
        owned: dict[str, set[str]] = {"acme": set(), "globex": set()}
        for tenant, user, text in records:
            body = {"messages": [{"role": "user", "name": "Ana", "content": text}], "user_id": user}
            response = clients[tenant].post("/v1/memories", json=body)
            assert response.status_code == 201
            owned[tenant] |= _ids(response.json())
        every = _tenant_ids(memory, "acme") | _tenant_ids(memory, "globex")
        assert owned["acme"] | owned["globex"] <= every
        for tenant, client in clients.items():
            other = "globex" if tenant == "acme" else "acme"
            theirs = every - _tenant_ids(memory, tenant)
            assert not _seen_by(client, queries or [WORDS[0]]) & theirs
            for memory_id in list(owned[other])[:5]:
                assert client.get(f"/v1/memories/{memory_id}").status_code == 404
                assert client.get(f"/v1/memories/{memory_id}/history").status_code == 404
                assert client.delete(f"/v1/memories/{memory_id}").status_code == 404


def _tenant_ids(memory: Memory, tenant: str) -> set[str]:
    view = memory.for_tenant(tenant)
    pages = [view.get_all(user_id=u, limit=1000, include_inactive=True) for u in USERS]
    return {m.id for page in pages for m in page.memories}


def _seen_by(client: TestClient, queries: list[str]) -> set[str]:
    """Every id the client can get from search, listings, entity pages, history and export."""
    seen: set[str] = set()
    for user in USERS:
        for query in queries:
            body = {"query": query, "user_id": user, "k": 50}
            seen |= _ids(client.post("/v1/search", json=body).json())
        listing = client.get("/v1/memories", params={"user_id": user, "include_inactive": True})
        seen |= _ids(listing.json())
        for entity in client.get("/v1/entities", params={"user_id": user}).json()["entities"]:
            page = client.get(f"/v1/entities/{entity['id']}", params={"user_id": user})
            seen |= _ids(page.json())
    for memory_id in set(seen):
        seen |= _ids(client.get(f"/v1/memories/{memory_id}/history").json())
    export = client.get("/v1/export").text.splitlines()
    seen |= {i for line in export for i in _ids(json.loads(line))}
    return seen
