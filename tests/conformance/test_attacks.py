"""An attacker tenant that knows every id of its victim tries every public path.

After each step, the victim's export is byte-identical to before, its keys are
unchanged, and nothing of the victim's text appears in anything the attacker gets back
(return values and error messages alike).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import T0, backend_location, say

from engramdb import EngramError, Memory
from engramdb.model.codec import memory_to_dict
from engramdb.model.ids import new_id
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.testing import FrozenClock, HashEmbedder

#: words that only the victim ever says: none may reach the attacker
SECRETS = ("Zanzibar", "xylophone", "Quetzalcoatl", "Ouagadougou", "marzipan")
USER = "shared-user"  # the same user id lives in both tenants


@dataclass
class Victim:
    """What the attacker is assumed to know: every id of the victim's."""

    memories: list[str]
    entities: list[str]
    relations: list[str]
    keys: list[str]


def _seed_victim(victim: Memory) -> None:
    victim.add(
        [
            say("Ana", "I moved to Zanzibar last week with my dog Quetzalcoatl!"),
            say("Ben", "Wow Ana, do you still play the xylophone?"),
            say("Ana", "Yes, and I work at Ouagadougou Labs now. I love marzipan."),
        ],
        user_id=USER,
        session_id="s1",
    )
    later = victim.add(
        [say("Ana", "I moved to Ouagadougou in May, the xylophone came too.")],
        user_id=USER,
        session_id="s2",
    )
    victim.update(later[0].id, metadata={"checked": True})
    victim.add_trajectory("bake marzipan cake", ["buy marzipan", "bake"], "success", user_id=USER)
    victim.consolidate(user_id=USER)
    archived = victim.add("Zanzibar xylophone notes", user_id=USER, session_id="s3")[0]
    victim.archive(archived.id)
    victim.keys.create("victim", name="victim key")


def _victim_ids(mem: Memory) -> Victim:
    out = io.StringIO()
    mem.for_tenant("victim").export(out)
    records = [json.loads(line) for line in out.getvalue().splitlines()[1:]]
    ids = {
        kind: [r["id"] for r in records if r["type"] == kind]
        for kind in ("memory", "entity", "relation")
    }
    keys = [k.id for k in mem.keys.list("victim")]
    assert ids["memory"] and ids["entity"] and ids["relation"] and keys
    return Victim(ids["memory"], ids["entity"], ids["relation"], keys)


def _snapshot(mem: Memory) -> str:
    out = io.StringIO()
    mem.for_tenant("victim").export(out)
    keys = [(k.id, k.revoked_at) for k in mem.keys.list("victim")]
    return out.getvalue() + repr(keys)


def _attempt(call: Callable[[], Any]) -> str:
    """What the attacker sees of a call: its result or its error, as text."""
    try:
        return repr(call())
    except EngramError as exc:
        return f"{type(exc).__name__}: {exc}"


# --------------------------------------------------------------- crafted imports
def _export_of(records: list[dict[str, Any]]) -> io.StringIO:
    header = {"type": "header", "format": "engramdb", "version": 2, "embedder": "x"}
    return io.StringIO("\n".join(json.dumps(r) for r in [header, *records]) + "\n")


def _memory_record(memory_id: str, **changes: Any) -> dict[str, Any]:
    from engramdb.model.memory import MemoryKind, MemoryRecord, Scope

    base = MemoryRecord(
        id=memory_id,
        kind=MemoryKind.FACT,
        text="an innocent fact",
        scope=Scope(USER, None, None, "attacker"),
        occurred_at=T0,
        recorded_at=T0,
    )
    return {"type": "memory", **memory_to_dict(base), **changes}


def _crafted(kind: str, target: str, fresh: str) -> list[dict[str, Any]]:
    """An import that names ``target`` (a victim id) in a record of type ``kind``."""
    mine = _memory_record(fresh)
    entity = {
        "type": "entity",
        "id": target,
        "name": "Zed",
        "kind": "person",
        "user_id": USER,
        "created_at": T0.isoformat(),
        "aliases": [],
        "key": "zed",
    }
    relation = {
        "type": "relation",
        "id": new_id(T0),
        "subject_id": target,
        "predicate": "lives_in",
        "object_value": "Mars",
        "fact_id": fresh,
        "user_id": USER,
    }
    return {
        "memory-id": [_memory_record(target)],
        "memory-source": [_memory_record(fresh, sources=[target])],
        "memory-superseded-by": [_memory_record(fresh, superseded_by=target)],
        "event": [
            mine,
            {
                "type": "event",
                "memory_id": target,
                "kind": "update",
                "actor": "attacker",
                "at": T0.isoformat(),
                "user_id": USER,
            },
        ],
        "entity-id": [mine, entity],
        "mention-memory": [
            mine,
            {**entity, "id": fresh + "e"},
            {"type": "mention", "entity_id": fresh + "e", "memory_id": target, "role": "named"},
        ],
        "mention-entity": [
            mine,
            {"type": "mention", "entity_id": target, "memory_id": fresh, "role": "named"},
        ],
        "relation-subject": [mine, relation],
        "relation-id": [
            mine,
            {**entity, "id": fresh + "e"},
            {**relation, "id": target, "subject_id": fresh + "e"},
        ],
        "relation-fact": [
            mine,
            {**entity, "id": fresh + "e"},
            {**relation, "subject_id": fresh + "e", "fact_id": target},
        ],
    }[kind]


IMPORTS = {
    "memory-id": "memories",
    "memory-source": "memories",
    "memory-superseded-by": "memories",
    "event": "memories",
    "entity-id": "entities",
    "mention-memory": "memories",
    "mention-entity": "entities",
    "relation-subject": "entities",
    "relation-id": "relations",
    "relation-fact": "memories",
}


def _import_attack(attacker: Memory, kind: str, target: str) -> str:
    """The crafted import is refused exactly as the same import naming a made-up id is."""
    fresh = new_id(T0)
    seen = _attempt(lambda: attacker.import_(_export_of(_crafted(kind, target, fresh))))
    made_up = new_id(T0)
    control = _attempt(lambda: attacker.import_(_export_of(_crafted(kind, made_up, fresh))))
    if kind in {"memory-id", "entity-id", "relation-id"}:  # a fresh id is just imported
        assert seen.startswith("InvalidInput"), seen
    else:
        assert seen.replace(target, made_up) == control, (seen, control)
    return seen


# ------------------------------------------------------------------ attacks
def _attacks(attacker: Memory, v: Victim) -> dict[str, Callable[[int], str]]:
    def pick(ids: list[str], n: int) -> str:
        return ids[n % len(ids)]

    def memory(n: int) -> str:
        return pick(v.memories, n)

    attacks: dict[str, Callable[[int], str]] = {
        "add": lambda n: _attempt(
            lambda: attacker.add(f"note {n} about Ana", user_id=USER, session_id="s1")
        ),
        "add_batch": lambda n: _attempt(
            lambda: attacker.add_batch([{"messages": "hello Ana", "user_id": USER}] * 2)
        ),
        "get": lambda n: _attempt(lambda: attacker.get(memory(n))),
        "update": lambda n: _attempt(lambda: attacker.update(memory(n), text="pwned")),
        "delete": lambda n: _attempt(lambda: attacker.delete(memory(n))),
        "feedback": lambda n: _attempt(lambda: attacker.feedback([memory(n)])),
        "archive": lambda n: _attempt(lambda: attacker.archive(memory(n))),
        "restore": lambda n: _attempt(lambda: attacker.restore(memory(n))),
        "history": lambda n: _attempt(lambda: attacker.history(memory(n))),
        "forget-id": lambda n: _attempt(lambda: attacker.forget(memory(n))),
        "forget-scope": lambda n: _attempt(lambda: attacker.forget(user_id=USER)),
        "delete_all": lambda n: _attempt(lambda: attacker.delete_all(user_id=USER)),
        "search": lambda n: _attempt(
            lambda: attacker.search(" ".join(SECRETS), user_id=USER, k=50)
        ),
        "context": lambda n: _attempt(
            lambda: attacker.context("Where does Ana live? Zanzibar", user_id=USER).text
        ),
        "get_all": lambda n: _attempt(
            lambda: attacker.get_all(user_id=USER, include_inactive=True, include_superseded=True)
        ),
        "entity": lambda n: _attempt(lambda: attacker.entity(pick(v.entities, n), user_id=USER)),
        "entity-name": lambda n: _attempt(lambda: attacker.entity("Ana", user_id=USER)),
        "profile": lambda n: _attempt(lambda: attacker.profile("Ana", user_id=USER).as_dict()),
        "entities": lambda n: _attempt(lambda: attacker.entities(user_id=USER)),
        "consolidate": lambda n: _attempt(lambda: attacker.consolidate(user_id=USER)),
        "fade": lambda n: _attempt(lambda: attacker.fade(user_id=USER, threshold=1.0)),
        "trajectory": lambda n: _attempt(
            lambda: attacker.add_trajectory("bake a cake", ["x"], "failure", user_id=USER)
        ),
        "procedures": lambda n: _attempt(lambda: attacker.procedures("bake a cake", user_id=USER)),
        "keys-list": lambda n: _attempt(lambda: attacker.keys.list()),
        "keys-revoke": lambda n: _attempt(lambda: attacker.keys.revoke(pick(v.keys, n))),
        "keys-create": lambda n: _attempt(lambda: attacker.keys.create("victim", admin=True)),
        "export": lambda n: _attempt(lambda: _exported(attacker)),
    }
    for kind, source in IMPORTS.items():
        ids = {"memories": v.memories, "entities": v.entities, "relations": v.relations}[source]
        attacks[f"import-{kind}"] = lambda n, kind=kind, ids=ids: _import_attack(
            attacker, kind, pick(ids, n)
        )
    return attacks


def _exported(mem: Memory) -> str:
    out = io.StringIO()
    mem.export(out)
    return out.getvalue()


ATTACK_NAMES = sorted(
    [
        "add",
        "add_batch",
        "get",
        "update",
        "delete",
        "feedback",
        "archive",
        "restore",
        "history",
        "forget-id",
        "forget-scope",
        "delete_all",
        "search",
        "context",
        "get_all",
        "entity",
        "entity-name",
        "profile",
        "entities",
        "consolidate",
        "fade",
        "trajectory",
        "procedures",
        "keys-list",
        "keys-revoke",
        "keys-create",
        "export",
        *(f"import-{kind}" for kind in IMPORTS),
    ]
)


@pytest.fixture
def arena(backend: str, tmp_path: Path) -> Iterator[tuple[Memory, Victim]]:
    clock = FrozenClock(T0)
    location = backend_location(backend, tmp_path)
    with Memory.open(location, embedder=HashEmbedder(), clock=clock, parser=RulesParser()) as mem:
        _seed_victim(mem.for_tenant("victim"))
        attacker = mem.for_tenant("attacker")
        attacker.add([say("Ana", "I moved to Lisbon")], user_id=USER, session_id="s1")
        yield mem, _victim_ids(mem)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(ATTACK_NAMES), st.integers(0, 50)), max_size=8))
def test_an_attacker_tenant_cannot_read_or_change_the_victim(
    arena: tuple[Memory, Victim], steps: list[tuple[str, int]]
) -> None:
    mem, victim = arena
    attacks = _attacks(mem.for_tenant("attacker"), victim)
    before = _snapshot(mem)
    for name, n in steps:
        seen = attacks[name](n)
        assert not [word for word in SECRETS if word.lower() in seen.lower()], (name, seen)
        assert _snapshot(mem) == before, name


def test_every_attack_is_tried_and_the_victim_survives(arena: tuple[Memory, Victim]) -> None:
    """The same attacks once each, in order, so that every one runs on every backend."""
    mem, victim = arena
    attacks = _attacks(mem.for_tenant("attacker"), victim)
    assert set(attacks) == set(ATTACK_NAMES)
    before = _snapshot(mem)
    for name in ATTACK_NAMES:
        for n in range(3):
            seen = attacks[name](n)
            assert not [w for w in SECRETS if w.lower() in seen.lower()], (name, seen)
            assert _snapshot(mem) == before, name
