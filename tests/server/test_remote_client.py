"""RemoteMemory over real HTTP on 127.0.0.1: what Memory returns, and the same errors."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from tests.conftest import T0, say
from tests.server.conftest import Served, free_port

from engramdb import (
    BackendUnavailable,
    Conflict,
    FilterError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from engramdb.client import RemoteMemory


@pytest.fixture
def remote(served: Served, live_url: str) -> RemoteMemory:
    with RemoteMemory(live_url, api_key=served.acme) as client:
        yield client  # type: ignore[misc]


def test_same_objects_as_the_engine(served: Served, remote: RemoteMemory) -> None:
    local = served.memory.for_tenant("acme")
    stored = remote.add(
        [say("Ana", "I moved to Lisbon in May 2023"), say("Ana", "I work at Google")],
        user_id="u1", session_id="s1", timestamp=T0, metadata={"src": "chat"},
    )  # fmt: skip
    assert stored == local.get_all(user_id="u1", filters={"src": "chat"}).memories[: len(stored)]
    assert remote.get(stored[0].id) == local.get(stored[0].id)
    assert remote.search("Lisbon", user_id="u1") == local.search("Lisbon", user_id="u1")
    assert remote.get_all(user_id="u1", limit=2) == local.get_all(user_id="u1", limit=2)
    assert remote.entities(user_id="u1") == local.entities(user_id="u1")
    assert remote.entity("Ana", user_id="u1") == local.entity("Ana", user_id="u1")
    assert remote.profile("Ana", user_id="u1") == local.profile("Ana", user_id="u1")
    question = {"user_id": "u1", "budget_tokens": 200, "reinforce": False}
    assert remote.context("Where does Ana work?", **question) == (  # type: ignore[arg-type]
        local.context("Where does Ana work?", **question)  # type: ignore[arg-type]
    )
    updated = remote.update(stored[1].id, text="I work at Spotify")
    assert updated == local.get(stored[1].id) and updated.version == 2
    assert remote.history(stored[1].id) == local.history(stored[1].id)
    later = T0 + timedelta(days=1)
    assert remote.search("Lisbon", user_id="u1", as_of=later) == local.search(
        "Lisbon", user_id="u1", as_of=later
    )
    batch = remote.add_batch([{"messages": "tea please", "user_id": "u2"}])
    assert batch[0][0].text == "tea please"
    derived = local.store.derived_ids([stored[0].id])
    assert remote.delete(stored[0].id) == [stored[0].id, *derived]
    with pytest.raises(NotFound):
        local.get(stored[0].id)
    assert remote.delete_all(user_id="u2") == 1
    kept = remote.add("Locker 12", user_id="u3", importance=0.9)[0]
    assert remote.archive(kept.id) == local.get(kept.id)
    assert remote.restore(kept.id) == local.get(kept.id)
    assert remote.feedback([kept.id]) == 1
    assert remote.fade(user_id="u3") == {"archived": 0, "expired": 0}
    assert remote.forget(user_id="u3") >= 1
    remote.add_trajectory("Rename report.txt", ["open()", {"action": "mv()"}], "success",
                          agent_id="bot")  # fmt: skip
    learned = remote.procedures("Rename notes.txt", agent_id="bot")
    assert learned == local.procedures("Rename notes.txt", agent_id="bot") and learned
    remote.ping()


def test_export_and_import_round_trip(served: Served, remote: RemoteMemory) -> None:
    remote.add("I play the cello", user_id="u1")
    out = io.StringIO()
    count = remote.export(out)
    assert count == len(served.memory.for_tenant("acme").get_all(user_id="u1").memories)
    expected = io.StringIO()
    served.memory.for_tenant("acme").export(expected)
    assert out.getvalue() == expected.getvalue()
    with pytest.raises(Conflict):
        remote.import_(io.StringIO(out.getvalue()))  # the ids exist
    served.memory.for_tenant("acme").delete_all(user_id="u1")
    assert remote.import_(io.StringIO(out.getvalue())) == count
    assert remote.get_all(user_id="u1").memories[0].text == "I play the cello"


def test_errors_come_back_as_the_same_classes(
    served: Served, remote: RemoteMemory, live_url: str
) -> None:
    with pytest.raises(NotFound) as missing:
        remote.get("nope")
    assert missing.value.memory_id == "nope"
    with pytest.raises(InvalidInput) as bad:
        remote.search("", user_id="u1")
    assert bad.value.field
    with pytest.raises(InvalidInput):
        remote.add("hi")  # no scope
    with RemoteMemory(live_url, api_key="edb_wrong") as stranger, pytest.raises(Unauthenticated):
        stranger.get_all(user_id="u1")
    with RemoteMemory(live_url, api_key=served.acme) as tenant, pytest.raises(PermissionDenied):
        tenant._request("GET", "/v1/admin/keys")
    with (
        RemoteMemory(f"http://127.0.0.1:{free_port()}", timeout=2) as down,
        pytest.raises(BackendUnavailable),
    ):
        down.ping()


def test_errors_are_mapped_by_their_type_and_retries_are_idempotent(
    remote: RemoteMemory, served: Served
) -> None:
    with pytest.raises(FilterError):  # a 422 like InvalidInput, named by its type
        remote.get_all(user_id="u1", filters={"x": {"$regex": "a"}})
    first = remote.add("I moved to Lisbon", user_id="u1", idempotency_key="retry-1")
    again = remote.add("I moved to Lisbon", user_id="u1", idempotency_key="retry-1")
    assert [m.id for m in again] == [m.id for m in first]
    with pytest.raises(Conflict, match="different request"):
        remote.add("I moved to Oslo", user_id="u1", idempotency_key="retry-1")
    items = [{"messages": "hello", "user_id": "u1"}]
    batch = remote.add_batch(items, idempotency_key="retry-2")
    assert remote.add_batch(items, idempotency_key="retry-2")[0][0].id == batch[0][0].id
    episodes = served.memory.for_tenant("acme").get_all(user_id="u1", filters={"kind": "episode"})
    assert [m.text for m in episodes.memories] == ["I moved to Lisbon", "hello"]
