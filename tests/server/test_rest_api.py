"""Every REST endpoint in process: results, auth, the error table, limits, request ids."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import say
from tests.server.conftest import Served

from engramdb import Memory
from engramdb.errors import CapabilityMissing
from engramdb.server import create_app
from engramdb.testing import HashEmbedder

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def _add(client: TestClient, text: str, **scope: str) -> list[dict[str, object]]:
    body = {"messages": [say("Ana", text)], "user_id": "u1", **scope}
    response = client.post("/v1/memories", json=body)
    assert response.status_code == 201, response.text
    return response.json()["memories"]


def test_add_search_get_list_update_history_delete(served: Served) -> None:
    api = served.client(served.acme)
    stored = _add(api, "I moved to Lisbon in May 2023", session_id="s1")
    turn = stored[0]
    assert turn["text"] == "I moved to Lisbon in May 2023" and turn["tenant_id"] == "acme"
    hits = api.post("/v1/search", json={"query": "Lisbon", "user_id": "u1", "k": 5}).json()["hits"]
    assert hits and hits[0]["why"] and hits[0]["explanation"]
    assert turn["id"] in {h["memory"]["id"] for h in hits} | {
        s["id"] for h in hits for s in h["sources"]
    }
    assert api.get(f"/v1/memories/{turn['id']}").json()["id"] == turn["id"]
    page = api.get("/v1/memories", params={"user_id": "u1", "limit": 1}).json()
    assert len(page["memories"]) == 1 and page["next_cursor"]
    rest = api.get("/v1/memories", params={"user_id": "u1", "cursor": page["next_cursor"]}).json()
    assert page["memories"][0]["id"] not in {m["id"] for m in rest["memories"]}
    updated = api.patch(f"/v1/memories/{turn['id']}", json={"metadata": {"checked": True}}).json()
    assert updated["version"] == 2 and updated["metadata"] == {"checked": True}
    events = api.get(f"/v1/memories/{turn['id']}/history").json()["events"]
    assert [e["kind"] for e in events] == ["add", "update"]
    deleted = api.delete(f"/v1/memories/{turn['id']}").json()["deleted"]
    assert turn["id"] in deleted
    assert api.get(f"/v1/memories/{turn['id']}").status_code == 404
    assert api.get(f"/v1/memories/{turn['id']}/history").json()["events"][-1]["kind"] == "delete"


def test_archive_restore_feedback_fade_forget(served: Served) -> None:
    api = served.client(served.acme)
    turn = _add(api, "My locker code is 4512", session_id="s9")[0]
    assert api.post(f"/v1/memories/{turn['id']}/archive").json()["status"] == "archived"
    assert api.post(f"/v1/memories/{turn['id']}/restore").json()["status"] == "active"
    assert api.post("/v1/feedback", json={"memory_ids": [turn["id"]]}).json() == {"reinforced": 1}
    assert api.post("/v1/fade", json={"user_id": "u1"}).json() == {"archived": 0, "expired": 0}
    assert api.post("/v1/forget", json={"memory_id": turn["id"]}).json()["forgotten"] >= 1
    assert api.get(f"/v1/memories/{turn['id']}").status_code == 404
    assert api.post("/v1/forget", json={}).status_code == 422
    other = served.client(served.globex)
    kept = _add(api, "still here")[0]
    assert other.post("/v1/forget", json={"memory_id": kept["id"]}).status_code == 404
    assert other.post(f"/v1/memories/{kept['id']}/archive").status_code == 404
    assert api.post("/v1/forget", json={"user_id": "u1"}).json()["forgotten"] >= 1


def test_batch_filters_delete_all(served: Served) -> None:
    api = served.client(served.acme)
    items = [
        {"messages": "I like tea", "user_id": "u2", "metadata": {"topic": "food"}},
        {"messages": [{"content": "Work is busy", "role": "user"}], "user_id": "u2"},
    ]
    results = api.post("/v1/memories/batch", json={"items": items}).json()["results"]
    assert [len(r) for r in results] == [1, 1]
    listed = api.get(
        "/v1/memories", params={"user_id": "u2", "filters": json.dumps({"topic": "food"})}
    ).json()["memories"]
    assert [m["text"] for m in listed] == ["I like tea"]
    assert api.delete("/v1/memories", params={"user_id": "u2"}).json()["deleted"] >= 2
    assert api.get("/v1/memories", params={"user_id": "u2"}).json()["memories"] == []


def test_entities_profile_export_import(served: Served) -> None:
    api = served.client(served.acme)
    _add(api, "I live in Boston and I work at Google")
    names = {
        e["name"] for e in api.get("/v1/entities", params={"user_id": "u1"}).json()["entities"]
    }
    assert "Ana" in names
    page = api.get("/v1/entities/Ana", params={"user_id": "u1"}).json()
    assert page["entity"]["name"] == "Ana" and page["facts"]
    profile = api.get("/v1/profiles/Ana", params={"user_id": "u1"}).json()
    assert profile["summary"]["home"] == "Boston"
    body = {"query": "Where does Ana live?", "user_id": "u1", "budget_tokens": 100}
    context = api.post("/v1/context", json=body).json()
    assert context["tokens"] <= 100 and "Boston" in context["text"] and context["sources"]
    exported = api.get("/v1/export")
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    lines = exported.text.splitlines()
    assert json.loads(lines[0])["format"] == "engramdb"
    other = served.client(served.globex)
    imported = other.post("/v1/import", content=exported.content)
    # the ids belong to another tenant: refused like a malformed record, nothing revealed
    assert imported.status_code == 422 and "exist" not in imported.text
    assert (
        served.client(served.acme).post("/v1/import", content=exported.content).status_code == 409
    )
    assert other.get("/v1/memories", params={"user_id": "u1"}).json()["memories"] == []


def test_auth_failures(served: Served) -> None:
    for secret in (None, "edb_not-a-key", "garbage"):
        response = served.client(secret).get("/v1/memories", params={"user_id": "u"})
        assert response.status_code == 401
        assert response.json()["error"]["type"] == "Unauthenticated"
        assert response.headers["www-authenticate"] == "Bearer"
    key = served.memory.keys.list("acme")[0]
    served.memory.keys.revoke(key.id)
    assert served.client(served.acme).get("/v1/entities?user_id=u").status_code == 401
    assert served.client(served.globex).get("/v1/admin/keys").status_code == 403


def test_admin_manages_keys_and_tenants(served: Served) -> None:
    admin = served.client(served.admin)
    created = admin.post("/v1/admin/keys", json={"tenant_id": "initech", "name": "bot"})
    assert created.status_code == 201
    secret, key_id = created.json()["secret"], created.json()["key"]["id"]
    newcomer = served.client(secret)
    assert _add(newcomer, "hello from initech")[0]["tenant_id"] == "initech"
    tenants = {t["tenant_id"] for t in admin.get("/v1/admin/tenants").json()["tenants"]}
    assert tenants == {"acme", "globex", "ops", "initech"}
    keys = admin.get("/v1/admin/keys", params={"tenant_id": "initech"}).json()["keys"]
    assert [k["id"] for k in keys] == [key_id] and "secret" not in keys[0]
    assert admin.delete(f"/v1/admin/keys/{key_id}").json()["revoked_at"]
    assert newcomer.get("/v1/entities?user_id=u").status_code == 401
    assert admin.delete("/v1/admin/keys/nope").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/v1/memories", {"messages": [], "user_id": "u"}),
        ("post", "/v1/memories", {"messages": "   ", "user_id": "u"}),
        ("post", "/v1/memories", {"messages": "hi"}),
        ("post", "/v1/memories", {"messages": "hi", "user_id": "u", "surprise": 1}),
        ("post", "/v1/memories", {"messages": "hi", "user_id": "u", "timestamp": "2024-01-01"}),
        ("post", "/v1/search", {"query": "x", "user_id": "u", "k": 0}),
        ("post", "/v1/search", {"query": "x", "user_id": "u", "filters": {"a": {"$bad": 1}}}),
        ("post", "/v1/memories/batch", {"items": [{"messages": "x", "user_id": "u"}] * 101}),
        ("patch", "/v1/memories/whatever", {}),
        ("get", "/v1/memories?user_id=u&filters=not-json", None),
        ("get", "/v1/memories?user_id=u&limit=0", None),
        ("get", "/v1/memories?user_id=u&cursor=zzz", None),
        ("get", "/v1/memories", None),
    ],
)
def test_bad_input_is_422_with_one_body_shape(
    served: Served, method: str, path: str, body: object
) -> None:
    response = getattr(served.client(served.acme), method)(
        path, **({} if body is None else {"json": body})
    )
    assert response.status_code in (404, 422), response.text
    error = response.json()["error"]
    assert error["type"] in {"InvalidInput", "FilterError", "NotFound"} and error["message"]
    assert error["request_id"] == response.headers["x-request-id"]


def test_malformed_json_and_wrong_content_are_422_not_500(served: Served) -> None:
    api = served.client(served.acme)
    for content in (b"{", b"\xff\xfe", b"[]", b"null"):
        response = api.post(
            "/v1/memories", content=content, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, (content, response.text)
    assert api.post("/v1/import", content=b"\xff").status_code == 422
    assert api.post("/v1/import", content=b'{"not": "an export"}\n').status_code == 422


def test_body_size_limit_is_413(served: Served) -> None:
    small = create_app(served.memory, max_body_bytes=1000)
    api = TestClient(small, headers={"Authorization": f"Bearer {served.acme}"})
    response = api.post("/v1/memories", json={"messages": "x" * 2000, "user_id": "u"})
    assert response.status_code == 413
    assert response.json()["error"]["field"] == "body"
    chunked = api.post(
        "/v1/memories",
        content=iter([b'{"messages": "', b"y" * 1500, b'", "user_id": "u"}']),
        headers={"Content-Type": "application/json"},
    )
    assert chunked.status_code == 413
    assert api.post("/v1/memories", json={"messages": "fits", "user_id": "u"}).status_code == 201


def test_request_ids_and_probes(served: Served) -> None:
    anyone = served.client(None)
    assert anyone.get("/health").json() == {"status": "ok"}
    assert anyone.get("/ready").json() == {"status": "ready"}
    given = anyone.get("/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    unsafe = anyone.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"


def test_without_auth_the_whole_store_is_served_on_loopback(served: Served) -> None:
    api = TestClient(create_app(served.memory, auth=False))
    _add(served.client(served.acme), "acme data")
    listed = api.get("/v1/memories", params={"user_id": "u1"}).json()["memories"]
    assert [m["tenant_id"] for m in listed] == ["acme"]
    assert api.get("/v1/admin/tenants").status_code == 200


def test_checked_in_openapi_matches_the_app(served: Served) -> None:
    assert json.loads(OPENAPI.read_text()) == served.app.openapi(), (
        "docs/openapi.json is stale: run `python scripts/openapi.py`"
    )


def test_lifespan_opens_and_closes_an_engine(tmp_path: Path) -> None:
    opened: list[Memory] = []

    def opener() -> Memory:
        opened.append(Memory.open(tmp_path / "a.db", embedder=HashEmbedder(), understand=False))
        return opened[-1]

    with TestClient(create_app(opener, auth=False)) as api:
        assert (
            api.post("/v1/memories", json={"messages": "kept", "user_id": "u"}).status_code == 201
        )
    with Memory.open(tmp_path / "a.db", embedder=HashEmbedder(), understand=False) as again:
        assert [m.text for m in again.get_all(user_id="u").memories] == ["kept"]


class _SlowEmbedder(HashEmbedder):
    """Loads only when the test lets it, or fails to."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.fail = fail
        self.release = threading.Event()

    def load(self) -> None:
        self.release.wait(timeout=30)
        if self.fail:
            raise CapabilityMissing("the model is not installed", extra="local")


@pytest.mark.parametrize("fail", [False, True])
def test_ready_waits_for_the_models_loaded_at_start_up(tmp_path: Path, fail: bool) -> None:
    embedder = _SlowEmbedder(fail)
    mem = Memory.open(tmp_path / "a.db", embedder=embedder, understand=False)
    with TestClient(create_app(mem, auth=False)) as api:
        loading = api.get("/ready")
        assert loading.status_code == 503
        assert loading.json()["error"]["type"] == "Loading"
        assert api.get("/health").status_code == 200  # alive meanwhile
        embedder.release.set()
        for _ in range(100):  # the loading thread finishes at once; allow a slow machine
            answer = api.get("/ready")
            if answer.json().get("error", {}).get("type") != "Loading":
                break
            time.sleep(0.05)
        if fail:
            assert answer.status_code == 503
            assert answer.json()["error"]["type"] == "CapabilityMissing"
        else:
            assert answer.json() == {"status": "ready"}
    mem.close()


ERROR_FIELDS = {"type", "message", "field", "request_id"}


@pytest.mark.parametrize(
    "body",
    [
        {"query": "x", "user_id": "u1", "k": True},
        {"query": "x", "user_id": "u1", "k": "5"},
        {"query": "x", "user_id": "u1", "k": 5.0},
        {"query": "x", "user_id": 7},
        {"query": ["x"], "user_id": "u1"},
    ],
)
def test_rest_parameters_are_as_strict_as_python(served: Served, body: dict[str, object]) -> None:
    response = served.client(served.acme).post("/v1/search", json=body)
    assert response.status_code == 422
    assert set(response.json()["error"]) >= ERROR_FIELDS


def test_deep_metadata_is_a_422_not_a_crash(served: Served) -> None:
    api = served.client(served.acme)
    deep: dict[str, object] = {"leaf": 1}
    for _ in range(299):
        deep = {"a": deep}
    body = {"messages": "hi", "user_id": "u1", "metadata": deep}
    response = api.post("/v1/memories", json=body)
    assert response.status_code == 422 and "levels deep" in response.text
    nested = '{"messages": "hi", "user_id": "u1", "metadata": ' + '{"a": ' * 5000 + "1" + "}" * 5001
    raw = api.post("/v1/memories", content=nested, headers={"content-type": "application/json"})
    assert raw.status_code == 422
    assert api.get("/v1/memories", params={"user_id": "u1"}).json()["memories"] == []


def test_every_error_body_has_the_same_fields(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    api = served.client(served.acme)
    with caplog.at_level(logging.DEBUG, logger="engramdb"):
        responses = [
            api.get("/v1/memories/nope"),  # 404
            api.post("/v1/search", json={"query": "x"}),  # 422 from the engine
            api.post("/v1/search", content=b"not json"),  # 422 from the parser
            served.client(None).get("/v1/entities"),  # 401
            api.get("/v1/admin/keys"),  # 403
            api.get("/v1/jobs"),  # 501: no LLM
            api.get("/v1/nowhere"),  # 404 route
        ]
    for response in responses:
        assert response.status_code >= 400
        assert set(response.json()["error"]) >= ERROR_FIELDS, response.text
    # expected refusals are no errors: at most one line each, never a traceback
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
