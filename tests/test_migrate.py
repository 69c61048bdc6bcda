"""`engramdb migrate`: SQLite -> PostgreSQL -> SQLite is lossless, verified by the exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import fresh_postgres, say

from engramdb import Conflict, Memory
from engramdb.cli.main import cli
from engramdb.migrate import export_fingerprint, migrate
from engramdb.ports.nlp import Parser
from engramdb.testing import FrozenClock, HashEmbedder


def _populate(mem: Memory, clock: FrozenClock) -> str:
    """Every kind of record: turns, facts, superseded facts, graph, history, archive, keys."""
    mem.add([say("Ana", "I live in Lisbon with my cat Miso.")], user_id="u", session_id="s1")
    clock.advance(days=30)
    moved = mem.add([say("Ana", "I moved to Porto last week.")], user_id="u", session_id="s2")
    mem.add("fragile note", agent_id="bot", importance=0.9, metadata={"tags": ["a", 1.5]})
    mem.for_tenant("acme").add("a tenant's note", user_id="u")
    doomed = mem.add("to be deleted", user_id="u")[0]
    clock.advance(hours=1)
    mem.update(moved[0].id, text="I moved to Porto last month.")
    mem.delete(doomed.id)
    mem.archive(mem.add("to be archived", user_id="u")[0].id)
    mem.keys.create("acme", name="ci")
    revoked, _ = mem.keys.create("acme", name="old")
    mem.keys.revoke(revoked.id)
    _, secret = mem.keys.create("ops", admin=True)
    return secret


def test_sqlite_to_postgres_and_back_is_lossless(
    tmp_path: Path, clock: FrozenClock, spacy_parser: Parser
) -> None:
    dsn = fresh_postgres()
    options = {"embedder": HashEmbedder(), "clock": clock, "parser": spacy_parser}
    with Memory.open(tmp_path / "a.db", **options) as source:
        secret = _populate(source, clock)
        original = export_fingerprint(source)
        with Memory.open(dsn, **options) as server:
            report = migrate(source, server)
            assert (report.records, report.fingerprint) == original
            assert report.memories == source.stats()["memories"] and report.keys == 3
            assert server.keys.verify(secret).admin
            assert server.profile("Ana", user_id="u").as_dict()["home"] == "Porto"
            assert [h.memory.id for h in server.search("Porto", user_id="u")] == [
                h.memory.id for h in source.search("Porto", user_id="u")
            ]
            with Memory.open(tmp_path / "b.db", **options) as back:
                migrate(server, back)
                assert export_fingerprint(back) == original
                assert [k.revoked_at for k in back.keys.list("acme")] == [
                    k.revoked_at for k in source.keys.list("acme")
                ]


def test_migrate_refuses_a_store_that_is_not_empty(tmp_path: Path) -> None:
    with (
        Memory.open(tmp_path / "a.db", embedder=HashEmbedder()) as source,
        Memory.open(tmp_path / "b.db", embedder=HashEmbedder()) as target,
    ):
        source.add("one", user_id="u")
        target.add("already here", user_id="u")
        before = export_fingerprint(target)
        with pytest.raises(Conflict, match="not empty"):
            migrate(source, target)
        assert export_fingerprint(target) == before


def test_migrate_command(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "a.db", embedder=HashEmbedder()) as source:
        source.add([say("Ana", "I live in Lisbon")], user_id="u")
    dsn = fresh_postgres()
    runner = CliRunner()
    env = {"ENGRAMDB_EMBEDDER": "hash"}
    result = runner.invoke(cli, ["migrate", str(tmp_path / "a.db"), dsn], env=env)
    assert result.exit_code == 0, result.output
    assert "copied 2 memories" in result.output and "verified" in result.output
    again = runner.invoke(cli, ["migrate", str(tmp_path / "a.db"), dsn], env=env)
    assert again.exit_code != 0 and "not empty" in again.output
