"""Tenant views share one store and never see each other's memories; API keys map to tenants."""

from __future__ import annotations

import io
import json

import pytest

from engramdb import InvalidInput, Memory, NotFound, Unauthenticated
from engramdb.testing import FrozenClock, HashEmbedder
from engramdb.testing.conformance._support import dump_store, say


def _seed(mem: Memory) -> tuple[Memory, Memory, str, str]:
    acme, globex = mem.for_tenant("acme"), mem.for_tenant("globex")
    a = acme.add([say("Ana", "I moved to Lisbon in May")], user_id="u1", session_id="s1")[0].id
    g = globex.add([say("Ana", "I moved to Oslo in May")], user_id="u1", session_id="s1")[0].id
    return acme, globex, a, g


def test_each_tenant_sees_only_its_own_memories(mem: Memory) -> None:
    acme, globex, a, g = _seed(mem)
    assert {h.memory.id for h in acme.search("where did Ana move?", user_id="u1")} <= {
        m.id for m in acme.get_all(user_id="u1", include_inactive=True).memories
    }
    assert g not in {h.memory.id for h in acme.search("Oslo", user_id="u1")}
    assert a not in {h.memory.id for h in globex.search("Lisbon", user_id="u1", k=50)}
    assert [m.id for m in acme.get_all(session_id="s1").memories if m.kind == "episode"] == [a]
    assert acme.get(a).scope.tenant_id == "acme"
    for call in (lambda: acme.get(g), lambda: acme.history(g), lambda: acme.delete(g)):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(NotFound):
        acme.update(g, text="hijacked")
    assert globex.get(g).text == "I moved to Oslo in May"


def test_entities_profiles_and_deletion_stay_in_the_tenant(mem: Memory) -> None:
    acme, globex, _, g = _seed(mem)
    assert [e.scope.tenant_id for e in acme.entities(user_id="u1")] == ["acme"] * len(
        acme.entities(user_id="u1")
    )
    page = acme.entity("Ana", user_id="u1")
    assert all(m.scope.tenant_id == "acme" for m in page.mentions)
    assert acme.delete_all(user_id="u1") > 0
    assert acme.get_all(user_id="u1").memories == []
    assert globex.get(g).text.endswith("Oslo in May")


def test_the_whole_store_view_sees_every_tenant(mem: Memory) -> None:
    _, _, a, g = _seed(mem)
    assert {m.id for m in mem.get_all(user_id="u1").memories} >= {a, g}
    assert mem.get(a).scope.tenant_id == "acme"


def test_tenant_export_holds_only_that_tenant_and_imports_into_another(mem: Memory) -> None:
    acme, _, a, g = _seed(mem)
    out = io.StringIO()
    written = acme.export(out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    ids = {r["id"] for r in lines if r["type"] == "memory"}
    assert a in ids and g not in ids and written == len(ids) == lines[0]["memories"]
    assert all(r.get("tenant_id") == "acme" for r in lines[1:] if r["type"] != "mention")

    target = Memory.open(":memory:", embedder=HashEmbedder(), understand=False)
    with target:
        assert target.for_tenant("initech").import_(io.StringIO(out.getvalue())) == written
        moved = target.for_tenant("initech")
        assert moved.get(a).scope.tenant_id == "initech"
        with pytest.raises(NotFound):
            target.for_tenant("acme").get(a)


def test_tenant_id_is_validated(mem: Memory) -> None:
    for bad in ("", " ", "x" * 300, 7, "a\x00b"):
        with pytest.raises(InvalidInput):
            mem.for_tenant(bad)  # type: ignore[arg-type]


def test_closing_a_view_leaves_the_store_open(mem: Memory) -> None:
    mem.for_tenant("acme").close()
    assert mem.add("still writable", user_id="u")


def test_api_keys_are_stored_hashed_verified_and_revoked(engramdb_location: str) -> None:
    clock = FrozenClock()
    location = engramdb_location
    with Memory.open(location, embedder=HashEmbedder(), clock=clock, understand=False) as mem:
        ring = mem.keys
        assert not ring.has_keys()
        key, secret = ring.create("acme", name="ci")
        admin, _ = ring.create("ops", admin=True)
        assert secret.startswith("edb_") and len(secret) > 40 and key.prefix == secret[:12]
        assert ring.verify(secret) == key
        assert [k.id for k in ring.list("acme")] == [key.id]
        assert {k.id for k in ring.list()} == {key.id, admin.id}
        for bad in (None, "", "edb_wrong", secret + "x"):
            with pytest.raises(Unauthenticated):
                ring.verify(bad)
        clock.advance(seconds=5)
        revoked = ring.revoke(key.id)
        assert revoked.revoked_at == clock.now() and ring.revoke(key.id) == revoked
        with pytest.raises(Unauthenticated):
            ring.verify(secret)
        with pytest.raises(NotFound):
            ring.revoke("no-such-key")
        with pytest.raises(InvalidInput):
            ring.create("", name="x")
        assert secret not in dump_store(mem)
