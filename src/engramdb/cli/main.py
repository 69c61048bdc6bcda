"""The ``engramdb`` command line: every command calls one ``Memory`` method."""

from __future__ import annotations

import json
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import click

from engramdb.api import OPERATIONS
from engramdb.cli._common import (
    db_option,
    declared_option,
    exit_on_error,
    json_arg,
    open_memory,
    owner_options,
    scope_options,
)
from engramdb.cli.evaluate import eval_
from engramdb.cli.forgetting import archive, delete, delete_all, fade, forget
from engramdb.cli.generated import command_for
from engramdb.cli.llm import answer, jobs, retry
from engramdb.cli.serving import inspect, keys, mcp, serve
from engramdb.cli.storage import (
    consolidate,
    export_,
    import_,
    import_messages,
    migrate,
    reindex,
    stats,
)  # fmt: skip
from engramdb.model.memory import MemoryKind
from engramdb.model.query import Hit

__all__ = ["cli"]


@click.group()
@click.version_option(package_name="engramdb")
@click.option(
    "--llm-base-url",
    envvar="ENGRAMDB_LLM_BASE_URL",
    help="Optional OpenAI-compatible LLM server, e.g. http://localhost:11434/v1 (Ollama).",
)
@click.option("--llm-model", envvar="ENGRAMDB_LLM_MODEL", help="The LLM's model name.")
@click.option("--llm-api-key", envvar="ENGRAMDB_LLM_API_KEY", help="The LLM server's API key.")
@click.pass_context
def cli(
    ctx: click.Context,
    llm_base_url: str | None,
    llm_model: str | None,
    llm_api_key: str | None,
) -> None:
    """engramdb: long-term memory for LLM agents (embedded SQLite store, hybrid recall).

    Everything works without an LLM. Name one (the --llm-* options, or ENGRAMDB_LLM_*
    variables) to refine facts, judge conflicts, write gists and answer questions.
    """
    named = {
        "ENGRAMDB_LLM_BASE_URL": llm_base_url,
        "ENGRAMDB_LLM_MODEL": llm_model,
        "ENGRAMDB_LLM_API_KEY": llm_api_key,
    }
    ctx.obj = {key: value for key, value in named.items() if value}


@cli.command()
@click.argument("text")
@db_option
@scope_options
@click.option("--speaker", help="Who said it (the message name).")
@click.option("--role", default="user", show_default=True, help="user, assistant, system or tool.")
@click.option("--timestamp", help="When it was said, ISO 8601 with offset (default: now).")
@click.option("--metadata", help="JSON object kept with the memory.")
@declared_option("add", "importance", "--importance")
@click.option("--expires-at", help="A TTL: forget it after this time (ISO 8601 with offset).")
def add(
    text: str,
    db: str,
    speaker: str | None,
    role: str,
    timestamp: str | None,
    metadata: str | None,
    importance: float | None,
    expires_at: str | None,
    **scope: Any,
) -> None:
    """Remember one message; prints the new memory id."""
    with exit_on_error(), open_memory(db) as mem:
        message = {"role": role, "content": text, **({"name": speaker} if speaker else {})}
        stored = mem.add(
            [message],
            timestamp=timestamp,
            metadata=json_arg(metadata, "metadata"),
            importance=importance,
            expires_at=expires_at,
            sync=True,  # a one-shot command: with an LLM, extract before exiting
            **scope,
        )
        click.echo(stored[0].id)


@cli.command()
@click.argument("query")
@db_option
@scope_options
@declared_option("search", "k", "-k")
@click.option("--filter", "filters", help='Metadata filter as JSON, e.g. \'{"topic": "travel"}\'.')
@declared_option("search", "budget_tokens", "--budget")
@click.option("--as-of", "as_of", help="Recall what was true then (ISO 8601 with offset).")
@click.option("--json", "as_json", is_flag=True, help="Print hits as JSON lines.")
def search(
    query: str,
    db: str,
    k: int,
    filters: str | None,
    budget_tokens: int | None,
    as_of: str | None,
    as_json: bool,
    **scope: str | None,
) -> None:
    """Recall memories for a query, with the reasons each was chosen."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        hits = mem.search(
            query,
            k=k,
            filters=json_arg(filters, "filter"),
            budget_tokens=budget_tokens,
            as_of=as_of,
            **scope,
        )
        for rank, hit in enumerate(hits, start=1):
            click.echo(json.dumps(_hit_json(hit)) if as_json else _hit_text(rank, hit))


def _hit_text(rank: int, hit: Hit) -> str:
    m = hit.memory
    who = f"{m.speaker}: " if m.speaker else ""
    when = m.occurred_at.strftime("%Y-%m-%d %H:%M")
    reasons = f"score {hit.score:.4f} | {hit.explain()} | id {m.id}"
    kind = "" if m.kind is MemoryKind.EPISODE else f"({m.kind.value}) "
    lines = [f"{rank:>2}. [{when}] {kind}{who}{m.text}", f"    {reasons}"]
    if m.kind is not MemoryKind.EPISODE:
        lines += [
            f"    from [{s.occurred_at:%Y-%m-%d}] {s.speaker or s.role}: {s.text}"
            for s in hit.sources
        ]
    return "\n".join(lines)


def _hit_json(hit: Hit) -> dict[str, Any]:
    return {
        "memory": hit.memory.to_dict(),
        "score": hit.score,
        "why": [
            {"signal": s.name, "rank": s.rank, "score": s.score, "via": s.via} for s in hit.why
        ],
        "sources": [s.id for s in hit.sources],
    }


@cli.command()
@click.argument("query")
@db_option
@scope_options
@declared_option("context", "budget_tokens", "--budget")
@declared_option("context", "recent_turns", "--recent")
@click.option("--as-of", help="Build it as it would have been at this time (ISO 8601).")
@click.option("--json", "as_json", is_flag=True, help="Print the structured context as JSON.")
def context(
    query: str,
    db: str,
    budget_tokens: int,
    recent_turns: int,
    as_of: str | None,
    as_json: bool,
    **scope: Any,
) -> None:
    """Print a ready-to-prompt context for a task or question, within a token budget."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        built = mem.context(
            query,
            **scope,
            budget_tokens=budget_tokens,
            recent_turns=recent_turns,
            as_of=as_of,
        )
    click.echo(json.dumps(built.to_dict(), indent=2) if as_json else built.text)


@cli.command()
@click.argument("memory_id")
@db_option
def get(memory_id: str, db: str) -> None:
    """Print one memory as JSON."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        click.echo(json.dumps(mem.get(memory_id).to_dict(), indent=2, ensure_ascii=False))


@cli.command()
@db_option
@owner_options
def entities(db: str, user_id: str | None, agent_id: str | None) -> None:
    """List the people, places, pets, organisations and works of a user / agent."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        for e in mem.entities(user_id=user_id, agent_id=agent_id):
            aliases = f" (also: {', '.join(e.aliases)})" if e.aliases else ""
            click.echo(f"{e.kind:<12} {e.name}{aliases}  id {e.id}")


@cli.command()
@click.argument("name_or_id", metavar="NAME")
@db_option
@owner_options
@declared_option("entity", "limit", "--limit")
def entity(name_or_id: str, db: str, user_id: str | None, agent_id: str | None, limit: int) -> None:
    """Show an entity's page: its aliases and its facts, current and past."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        page = mem.entity(name_or_id, user_id=user_id, agent_id=agent_id, limit=limit)
        e = page.entity
        click.echo(f"{e.name} ({e.kind}), id {e.id}, mentioned in {page.mention_count} memories")
        if e.aliases:
            click.echo(f"aliases: {', '.join(e.aliases)}")
        for fact in page.facts:
            until = f" until {fact.valid_to:%Y-%m-%d}" if fact.valid_to else ""
            click.echo(f"  [{fact.occurred_at:%Y-%m-%d}{until}] {fact.text} ({fact.status.value})")


@cli.command()
@click.argument("person")
@db_option
@owner_options
def profile(person: str, db: str, user_id: str | None, agent_id: str | None) -> None:
    """Print what is known now about a person (name, age, home, job, ...) as JSON."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        found = mem.profile(person, user_id=user_id, agent_id=agent_id)
        click.echo(json.dumps(found.as_dict(), indent=2, ensure_ascii=False))


@cli.command(name="list")
@db_option
@scope_options
@click.option("--filter", "filters", help="Metadata filter as JSON.")
@declared_option("get_all", "limit", "--limit")
@click.option("--cursor", help="Cursor printed by the previous page.")
@click.option("--all-statuses", is_flag=True, help="Include superseded and archived memories.")
def list_(
    db: str,
    filters: str | None,
    limit: int,
    cursor: str | None,
    all_statuses: bool,
    **scope: str | None,
) -> None:
    """List a scope's memories as JSON lines, oldest first, one page at a time."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        page = mem.get_all(
            filters=json_arg(filters, "filter"),
            limit=limit,
            cursor=cursor,
            include_inactive=all_statuses,
            user_id=scope.get("user_id"),
            agent_id=scope.get("agent_id"),
            session_id=scope.get("session_id"),
        )
        for memory in page.memories:
            click.echo(json.dumps(memory.to_dict(), ensure_ascii=False))
        if page.next_cursor:
            click.echo(f"next cursor: {page.next_cursor}", err=True)


@cli.command()
@click.argument("memory_id")
@db_option
@click.option("--text", help="New text.")
@click.option("--metadata", help="New metadata (JSON object), replacing the old.")
def update(memory_id: str, db: str, text: str | None, metadata: str | None) -> None:
    """Write a new version of a memory (the old one stays in its history)."""
    with exit_on_error(), open_memory(db) as mem:
        changes: dict[str, Any] = {}
        if text is not None:
            changes["text"] = text
        if metadata is not None:
            changes["metadata"] = json_arg(metadata, "metadata")
        click.echo(f"version {mem.update(memory_id, **changes).version}")


@cli.command()
@click.argument("memory_id")
@db_option
def history(memory_id: str, db: str) -> None:
    """Print every change of a memory as JSON lines."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        for event in mem.history(memory_id):
            click.echo(
                json.dumps(
                    {
                        "at": event.at.isoformat(),
                        "kind": event.kind.value,
                        "actor": event.actor,
                        "before": event.before,
                        "after": event.after,
                    },
                    ensure_ascii=False,
                )
            )


@cli.command()
@click.option("--db", help="Store to create (default: a temporary file).")
def demo(db: str | None) -> None:
    """Ingest a sample conversation and show recalls with their reasons."""
    sample = resources.files("engramdb.examples").joinpath("sample_conversation.jsonl")
    with exit_on_error(), tempfile.TemporaryDirectory() as tmp:
        path = db or str(Path(tmp) / "demo.db")
        with open_memory(path) as mem, resources.as_file(sample) as sample_path:
            count = import_messages(mem, sample_path)
            click.echo(f"stored {count} turns of a sample conversation in {path}\n")
            for question in _DEMO_QUESTIONS:
                click.echo(f"Q: {question}  (user ana)")
                for rank, hit in enumerate(mem.search(question, user_id="ana", k=3), start=1):
                    click.echo(_hit_text(rank, hit))
                click.echo()
        click.echo(_next_steps(db))


def _next_steps(db: str | None) -> str:
    """The three commands to try after the demo, on a store that is kept."""
    store = db or "agent.db"
    kept = "" if db else f"This store was temporary; keep one with: engramdb demo --db {store}\n"
    return (
        f"{kept}Next, try:\n"
        f"  engramdb profile Ana --user ana --db {store}          # what is known about her now\n"
        f'  engramdb context "How is Ana\'s training going?" --user ana --db {store}'
        "   # a prompt-ready context\n"
        f"  engramdb serve --db {store} --no-auth                 # the REST API, docs at /docs"
    )


_DEMO_QUESTIONS = (
    "Which race is Ana training for?",
    "What happened to Ana's knee?",
    "Where does Ana work now?",
    "What food did she try in Porto?",
)


for _command in (
    delete, delete_all, forget, archive, fade, serve, inspect, keys, mcp, migrate, consolidate,
    import_, export_, stats, reindex, answer, jobs, retry, eval_,
):  # fmt: skip
    cli.add_command(_command)

# every declared operation with a CLI name and no command above gets a generated one
for _op in OPERATIONS.values():
    if _op.cli is not None and _op.cli not in cli.commands:
        cli.add_command(command_for(_op))
