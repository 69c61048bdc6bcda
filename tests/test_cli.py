"""The CLI, in-process with click's runner, on real files and the real local model."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import LOCOMO

from engramdb.cli.main import cli

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def run(tmp_path: Path, minilm):  # type: ignore[no-untyped-def]
    db = str(tmp_path / "cli.db")

    def invoke(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli, [*args], env={"ENGRAMDB_DB": db}, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def test_add_search_get_update_history_delete(run) -> None:  # type: ignore[no-untyped-def]
    memory_id = run(
        "add",
        "I adopted a cat named Miso",
        "--user",
        "ana",
        "--speaker",
        "Ana",
        "--metadata",
        '{"topic": "pets"}',
    ).strip()
    run("add", "We hiked in the Alps last summer", "--user", "ana")
    out = run("search", "What is Ana's cat called?", "--user", "ana", "-k", "2")
    # the fact drawn from the turn, then the turn it came from
    assert out.splitlines()[0].endswith("(fact) Ana adopted a cat named Miso")
    assert out.splitlines()[2].endswith("Ana: I adopted a cat named Miso")
    assert "dense #1" in out and "entity" in out  # "cat" is in half this tiny store: no BM25 weight
    hit = json.loads(run("search", "cat", "--user", "ana", "--json").splitlines()[0])
    assert hit["sources"] == [memory_id]  # the turn itself, or a fact drawn from it
    assert json.loads(run("get", memory_id))["metadata"] == {"topic": "pets"}
    assert run("update", memory_id, "--text", "I adopted two cats") == "version 2\n"
    kinds = [json.loads(line)["kind"] for line in run("history", memory_id).splitlines()]
    assert kinds == ["add", "update"]
    listed = run("list", "--user", "ana", "--filter", '{"topic": "pets"}').splitlines()
    assert [json.loads(line)["text"] for line in listed] == ["I adopted two cats"]
    assert run("delete", memory_id) == "deleted 2\n"  # the turn and the fact drawn from it
    assert run("delete-all", "--user", "ana", "--yes") == "deleted 2\n"  # a turn and its fact
    assert json.loads(run("stats"))["memories"] == 0


def test_context_archive_fade_forget(run) -> None:  # type: ignore[no-untyped-def]
    kept = run("add", "My locker code is 4512", "--user", "bo", "--speaker", "Bo").strip()
    run("add", "Temporary wifi password is kiwi", "--user", "bo",
        "--expires-at", "2000-01-01T00:00:00+00:00")  # fmt: skip
    context = run("context", "What is Bo's locker code?", "--user", "bo", "--budget", "100")
    assert "4512" in context and "kiwi" not in context  # expired: not recalled
    packed = json.loads(run("context", "locker", "--user", "bo", "--json"))
    assert packed["tokens"] <= 1500 and packed["sources"]
    assert run("archive", kept).startswith(f"{kept} archived")
    assert run("archive", kept, "--restore").startswith(f"{kept} active")
    assert run("fade", "--user", "bo") == "archived 0, deleted 1 expired\n"
    assert run("forget", "--user", "bo").startswith("forgot ")
    run("forget", code=2)  # neither an id nor a scope


def test_import_export_roundtrip_and_stats(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample = ROOT / "src/engramdb/examples/sample_conversation.jsonl"
    assert "imported 12 memories" in run("import", str(sample))
    target = tmp_path / "dump.jsonl"
    stats = json.loads(run("stats"))
    assert f"exported {stats['memories']} memories" in run("export", str(target))
    assert stats["by_kind"]["episode"] == 12 and stats["users"] == 2
    other = str(tmp_path / "other.db")
    result = CliRunner().invoke(cli, ["import", str(target), "--db", other])
    assert result.exit_code == 0 and "(export)" in result.output


def test_bad_input_exit_codes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "error:" in run("add", "   ", "--user", "u", code=2)
    assert "name a scope" in run("search", "x", code=2)
    run("add", "hello", "--user", "u")
    assert "unknown filter operator" in run(
        "search", "x", "--user", "u", "--filter", '{"a": {"like": 1}}', code=2
    )
    assert "no memory with id" in run("get", "missing", code=3)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"role": "user", "content": "fine", "user_id": "u"}\n'
        '{"role": "user", "content": "", "user_id": "u"}\n'
    )
    assert f"{bad}:2:" in run("import", str(bad), code=2)


def test_demo_shows_recalls_with_reasons(run) -> None:  # type: ignore[no-untyped-def]
    out = run("demo")
    assert "stored 12 turns" in out
    assert "Lisbon half marathon" in out.split("Q: What happened")[0]
    assert "knee hurt" in out.split("Q: What happened")[1].split("Q:")[0]
    assert "lexical #" in out and "dense #" in out
    assert "Ben" not in out  # another user's memory never shows
    assert "Next, try:" in out


def test_the_commands_the_demo_suggests_run(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = str(tmp_path / "agent.db")
    out = run("demo", "--db", store)
    lines = out.split("Next, try:")[1].splitlines()
    suggested = [shlex.split(line.split("#")[0]) for line in lines if line.strip()]
    assert [words[:2] for words in suggested] == [
        ["engramdb", "profile"], ["engramdb", "context"], ["engramdb", "serve"],
    ]  # fmt: skip
    for words in suggested[:2]:  # serve runs until stopped: it is tested on its own
        assert run(*words[1:])


def test_every_command_has_help_and_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    names = []
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help text"
        subcommands = getattr(command, "commands", {})
        names += [f"{name} {sub}" for sub in subcommands] or [name]
    for name in names:
        assert f"engramdb {name}" in readme, f"`engramdb {name}` is not documented in the README"


@pytest.mark.slow
@pytest.mark.skipif(not LOCOMO.exists(), reason="LoCoMo data not present beside the project")
def test_eval_locomo_prints_a_table_and_json(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out_json = tmp_path / "report.json"
    out = run(
        "eval", "locomo", "--data", str(LOCOMO), "--conversations", "1", "--json", str(out_json)
    )
    assert "overall" in out and "2 temporal" in out
    report = json.loads(out_json.read_text())
    assert report["conversations"] == 1
    assert 0.4 < report["overall"]["recall@10"] <= 1.0
    assert "turns/s" in out and report["timing"]["turns_per_s"] > 0


def test_reindex_moves_a_store_to_the_local_model(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from engramdb import Memory
    from engramdb.testing import HashEmbedder

    db = tmp_path / "hashed.db"
    with Memory.open(db, embedder=HashEmbedder()) as mem:
        mem.add("I adopted a cat named Miso", user_id="ana")
    assert "embedded with 'hash:64'" in run(
        "search", "cat", "--user", "ana", "--db", str(db), code=2
    )
    # the turn and the fact drawn from it ("ana adopted a cat named Miso")
    reindexed = run("reindex", "--db", str(db))
    assert "re-embedded 2 memories with all-MiniLM-L6-v2-int8:384" in reindexed
    assert "Miso" in run("search", "pet", "--user", "ana", "--db", str(db))
    assert "re-embedded 2" in run("reindex", "--db", str(db))  # same model: re-embeds again


def test_entities_entity_profile_and_as_of(run) -> None:  # type: ignore[no-untyped-def]
    for when, text in [
        ("2023-01-10T10:00:00+00:00", "I live in Lisbon with my sister Marta."),
        ("2023-06-01T10:00:00+00:00", "I just moved to Berlin."),
    ]:
        run("add", text, "--user", "ana", "--speaker", "Ana", "--timestamp", when)
    listed = run("entities", "--user", "ana")
    assert "person       Marta (also: Ana's sister)" in listed and "place        Berlin" in listed
    page = run("entity", "Ana", "--user", "ana")
    assert "[2023-01-10 until 2023-06-01] Ana lives in Lisbon with Ana's sister Marta" in page
    assert "(superseded)" in page and "Ana just moved to Berlin (active)" in page
    assert json.loads(run("profile", "Ana", "--user", "ana"))["home"] == "Berlin"
    then = run(
        "search", "Where does Ana live?", "--user", "ana", "--as-of", "2023-03-01T00:00:00+00:00"
    )
    assert "Berlin" not in then and "Lisbon" in then
    assert "no entity with name or id 'Nobody'" in run("profile", "Nobody", "--user", "ana", code=3)


def test_every_documented_exit_code_and_messages_in_the_commands_terms(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    memory_id = run("add", "I live in Porto", "--user", "ana").strip()
    assert "--user, --agent or --session" in run("search", "Porto", code=2)
    assert "--timestamp has no UTC offset" in run(
        "add", "hi", "--user", "ana", "--timestamp", "2024-01-01T10:00", code=2
    )
    run("search", "Porto", "--user", "ana", "-k", "0", code=2)  # out of range: a usage error
    run("get", "no-such-id", code=3)
    exported = tmp_path / "out.jsonl"
    run("export", str(exported))
    assert "already" in run("import", str(exported), code=1)  # its ids are in the store
    run("get", memory_id, "--db", str(tmp_path / "missing" / "x.db"), code=4)
    readme = (ROOT / "README.md").read_text()
    for code in range(5):
        assert f"| {code} |" in readme
