"""Consolidation over REST, and in the background of the server beside writes."""

from __future__ import annotations

import time
from datetime import timedelta

from tests.conftest import T0, say
from tests.server.conftest import Served, serve_memory

from engramdb import Memory
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.testing import FrozenClock, HashEmbedder


def _session(sid: str, count: int) -> dict[str, object]:
    turns = [
        say("Ana" if n % 2 else "Ben", f"turn {n} about the hiking trip to Gerês",
            timestamp=(T0 + timedelta(minutes=n)).isoformat())
        for n in range(count)
    ]  # fmt: skip
    return {"messages": turns, "user_id": "u1", "session_id": sid}


def test_consolidate_endpoint_is_tenant_scoped_and_idempotent(served: Served) -> None:
    api, other = served.client(served.acme), served.client(served.globex)
    assert api.post("/v1/memories", json=_session("s1", 6)).status_code == 201
    first = api.post("/v1/consolidate", json={"user_id": "u1"}).json()
    assert first["sessions"] == 1 and first["rebuilt_sessions"] == 1 and first["gists"] >= 1
    again = api.post("/v1/consolidate", json={}).json()
    assert again["rebuilt_sessions"] == 0 and again["gists"] == 0
    assert other.post("/v1/consolidate", json={}).json()["sessions"] == 0
    assert api.post("/v1/consolidate", json={"user_id": ""}).status_code == 422
    status = served.client(served.admin).get("/v1/admin/consolidation").json()
    assert status["enabled"] is False and status["runs"] == 0
    assert api.get("/v1/admin/consolidation").status_code == 403


def test_background_consolidation_runs_beside_writes() -> None:
    clock = FrozenClock(T0)
    with Memory.open(":memory:", embedder=HashEmbedder(), clock=clock, parser=RulesParser()) as m:
        served = serve_memory(m, consolidate_every=0.05)
        with served.client(served.acme) as api:  # the context runs the app's lifespan
            for n in range(20):  # writes keep being answered while runs come and go
                response = api.post("/v1/memories", json=_session(f"s{n}", 4))
                assert response.status_code == 201
            admin = served.client(served.admin)
            deadline = time.monotonic() + 30
            status: dict[str, object] = {}
            while time.monotonic() < deadline:
                status = admin.get("/v1/admin/consolidation").json()
                report = status.get("last_report") or {}
                if isinstance(report, dict) and report.get("sessions") == 20:
                    break
                time.sleep(0.05)
            assert status["enabled"] is True and status["last_error"] is None
            assert status["last_report"]["sessions"] == 20  # type: ignore[index]
        gists = m.for_tenant("acme").get_all(user_id="u1", filters={"kind": "summary"}).memories
        by_session = {g.scope.session_id for g in gists if g.metadata["level"] != "day"}
        assert by_session == {f"s{n}" for n in range(20)}
        # the twenty sessions happened on one day: one roll-up gist for the day
        assert [g.metadata["day"] for g in gists if g.metadata["level"] == "day"] == ["2024-05-01"]
