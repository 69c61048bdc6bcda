"""The ``engramdb`` command line: every command calls one ``Memory`` method."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
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
    progress_bar,
    scope_options,
)
from engramdb.cli.generated import command_for
from engramdb.cli.llm import answer, jobs, retry
from engramdb.cli.serving import keys, mcp, serve
from engramdb.cli.storage import consolidate, migrate
from engramdb.engine import Memory
from engramdb.errors import (
    EmbedderMismatch,
    InvalidInput,
)
from engramdb.importers import FORMATS, batch_key, detect_format, message_batches
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
def entity(name_or_id: str, db: str, user_id: str | None, agent_id: str | None) -> None:
    """Show an entity's page: its aliases and its facts, current and past."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        page = mem.entity(name_or_id, user_id=user_id, agent_id=agent_id)
        e = page.entity
        click.echo(f"{e.name} ({e.kind}), id {e.id}, mentioned in {len(page.mentions)} memories")
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
def delete(memory_id: str, db: str) -> None:
    """Delete a memory and everything derived from it."""
    with exit_on_error(), open_memory(db) as mem:
        click.echo(f"deleted {len(mem.delete(memory_id))}")


@cli.command(name="delete-all")
@db_option
@scope_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_all(db: str, yes: bool, **scope: str | None) -> None:
    """Delete every memory of a scope (at least one scope option is required)."""
    with exit_on_error(), open_memory(db) as mem:
        named = {k: v for k, v in scope.items() if v}
        if named and not yes:
            click.confirm(f"Delete every memory of {named}?", abort=True)
        click.echo(f"deleted {mem.delete_all(**scope)}")


@cli.command()
@click.argument("memory_id", required=False)
@db_option
@scope_options
def forget(memory_id: str | None, db: str, **scope: Any) -> None:
    """Erase a memory, or a whole scope, for good: no trace is left in the store's files."""
    with exit_on_error(), open_memory(db, understand=False) as mem:
        count = mem.forget(
            memory_id,
            **scope,
        )
    click.echo(f"forgot {count} memories")


@cli.command()
@click.argument("memory_id")
@db_option
@click.option("--restore", "undo", is_flag=True, help="Bring it back instead.")
def archive(memory_id: str, db: str, undo: bool) -> None:
    """Archive a memory (kept, restorable, no longer recalled), or restore it."""
    with exit_on_error(), open_memory(db, understand=False) as mem:
        changed = mem.restore(memory_id) if undo else mem.archive(memory_id)
    click.echo(f"{changed.id} {changed.status.value}")


@cli.command()
@db_option
@scope_options
@declared_option("fade", "threshold", "--threshold")
def fade(db: str, threshold: float, **scope: Any) -> None:
    """Archive a scope's faded memories and delete its expired ones."""
    with exit_on_error(), open_memory(db, understand=False) as mem:
        done = mem.fade(
            **scope,
            threshold=threshold,
        )
    click.echo(f"archived {done['archived']}, deleted {done['expired']} expired")


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


@cli.command(name="import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="messages (JSONL), locomo (JSON) or export (engramdb JSONL).",
)
def import_(source: Path, db: str, fmt: str) -> None:
    """Import messages (JSONL), LoCoMo conversations, or an engramdb export."""
    with exit_on_error(), open_memory(db) as mem:
        fmt = detect_format(source) if fmt == "auto" else fmt
        count = _IMPORTERS[fmt](mem, source)
        click.echo(f"imported {count} memories from {source} ({fmt})")
        if mem.enhancer is not None:
            click.echo(f"LLM jobs: {json.dumps(mem.run_jobs())}")


def _import_messages(mem: Memory, source: Path) -> int:
    count = 0
    with progress_bar(None, "msg", "import") as bar:
        for lines, items in message_batches(source):
            try:
                # a batch is keyed by its content: an import run again (after a crash, say)
                # gets the batches it already stored back, and stores each line once
                stored = mem.add_batch(items, idempotency_key=batch_key(lines, items))
            except InvalidInput as exc:
                line = lines[exc.index] if exc.index is not None else "?"
                raise InvalidInput(f"{source}:{line}: {exc}", field=exc.field) from exc
            count += sum(map(len, stored))
            bar.update(len(items))
    return count


def _import_locomo(mem: Memory, source: Path) -> int:
    from engramdb.eval.locomo import ingest_conversation, load_locomo

    conversations = load_locomo(source)
    with progress_bar(len(conversations), "conv", "import") as bar:
        count = 0
        for conversation in conversations:
            count += ingest_conversation(mem, conversation)
            bar.update(1)
    return count


_IMPORTERS: dict[str, Callable[[Memory, Path], int]] = {
    "messages": _import_messages,
    "locomo": _import_locomo,
    "export": lambda mem, source: mem.import_(source),
}


@cli.command(name="export")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def export_(target: Path, db: str) -> None:
    """Export the whole store as versioned JSONL (lossless; `import` reads it back)."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        click.echo(f"exported {mem.export(target)} memories to {target}")


@cli.command()
@db_option
def stats(db: str) -> None:
    """Print counts and sizes of the store as JSON."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        click.echo(json.dumps(mem.stats(), indent=2))


@cli.command()
@db_option
def reindex(db: str) -> None:
    """Re-embed every memory with the current embedder (after changing models)."""
    with exit_on_error():
        try:
            mem = open_memory(db)
        except EmbedderMismatch:
            mem = open_memory(db, reindex=True)  # re-embeds while opening
            count = mem.stats()["memories"]
        else:
            with progress_bar(mem.stats()["memories"], "mem", "reindex") as bar:
                count = mem.reindex(lambda done, total: bar.update(done - bar.n))
        mem.close()
        click.echo(f"re-embedded {count} memories with {mem.embedder.identity}")


@cli.command()
@click.option("--db", help="Store to create (default: a temporary file).")
def demo(db: str | None) -> None:
    """Ingest a sample conversation and show recalls with their reasons."""
    sample = resources.files("engramdb.examples").joinpath("sample_conversation.jsonl")
    with exit_on_error(), tempfile.TemporaryDirectory() as tmp:
        path = db or str(Path(tmp) / "demo.db")
        with open_memory(path) as mem, resources.as_file(sample) as sample_path:
            count = _import_messages(mem, sample_path)
            click.echo(f"stored {count} turns of a sample conversation in {path}\n")
            for question in _DEMO_QUESTIONS:
                click.echo(f"Q: {question}  (user ana)")
                for rank, hit in enumerate(mem.search(question, user_id="ana", k=3), start=1):
                    click.echo(_hit_text(rank, hit))
                click.echo()


_DEMO_QUESTIONS = (
    "Which race is Ana training for?",
    "What happened to Ana's knee?",
    "Where does Ana work now?",
    "What food did she try in Porto?",
)


def _report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--json`` and ``--understanding``, shared by the evaluations."""
    command = click.option(
        "--understanding",
        type=click.Choice(["spacy", "rules", "none"]),
        default="spacy",
        show_default=True,
        help="Parser for understanding turns (rules: without spaCy; none: verbatim turns only).",
    )(command)
    return click.option(
        "--json",
        "json_out",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the report as JSON here.",
    )(command)


def _answer_options(whole: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--llm``, ``--full-context`` and ``--llm-ingest``, shared by the evaluations."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "--llm-ingest/--no-llm-ingest",
            default=True,
            show_default=True,
            help="With --llm: run the LLM extraction on the ingested turns.",
        )(command)
        command = click.option(
            "--full-context", is_flag=True, help=f"With --llm: answer from the whole {whole}."
        )(command)
        return click.option(
            "--llm",
            "with_llm",
            is_flag=True,
            help="Answer each question with the LLM and judge it.",
        )(command)

    return decorate


@cli.group(name="eval")
def eval_() -> None:
    """Measure retrieval quality on benchmarks (no LLM needed)."""


@eval_.command()
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default="../shared/data/locomo10.json",
    show_default=True,
    help="LoCoMo JSON file.",
)
@click.option("--db", help="Store to ingest into (default: a temporary file).")
@click.option("--conversations", type=int, help="Evaluate only the first N conversations.")
@click.option("--categories", default="1,2,3,4", show_default=True, help="Question categories.")
@_report_options
@click.option(
    "--mode",
    type=click.Choice(["search", "context"]),
    default="search",
    show_default=True,
    help="search: ranked hits; context: the packed context of `engramdb context`.",
)
@click.option("--budget", default=1000, show_default=True, help="Context token budget.")
@_answer_options("conversation")
@click.option("--questions", type=int, help="With --llm: at most N questions per conversation.")
def locomo(
    data: Path,
    db: str | None,
    conversations: int | None,
    categories: str,
    json_out: Path | None,
    understanding: str,
    mode: str,
    budget: int,
    with_llm: bool,
    full_context: bool,
    llm_ingest: bool,
    questions: int | None,
) -> None:
    """LoCoMo evidence recall@k, recall within token budgets, session recall, MRR.

    With --llm: answer accuracy by the LLM judge, token F1, tokens per question and
    latency, from engramdb's context or (--full-context) the whole conversation.
    """
    from engramdb.eval.locomo import load_locomo
    from engramdb.eval.report import render_report, run_locomo

    options = _eval_options(understanding)
    if with_llm:
        del options["llm"]  # the configured model answers; recall alone needs none
    with exit_on_error(), tempfile.TemporaryDirectory() as tmp:
        samples = load_locomo(data)[:conversations]
        with open_memory(db or str(Path(tmp) / "locomo.db"), **options) as mem:
            if with_llm:
                report: Any = _answer_eval(
                    mem, samples, categories, budget, full_context, llm_ingest, questions
                )
                text = _answer_table(report)
            else:
                report = run_locomo(
                    mem, samples, categories.split(","), progress_bar, mode=mode, budget=budget
                )
                text = render_report(report)
        click.echo(text)
        if json_out:
            json_out.write_text(json.dumps(report.to_json(), indent=2))


@eval_.command()
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default="../shared/data/longmemeval_s_dev.json.gz",
    show_default=True,
    help="LongMemEval JSON file (.json or .json.gz).",
)
@click.option(
    "--db", help="Store to ingest into (default: a temporary file); kept haystacks are reused."
)
@click.option("--sample", type=int, help="Evaluate N questions spread evenly over the types.")
@click.option("--per-type", type=int, help="Evaluate N questions of each type.")
@click.option("--seed", default=0, show_default=True, help="Seed of the --sample choice.")
@click.option("--types", help="Comma-separated question types (default: all).")
@_report_options
@click.option("--budget", default=1000, show_default=True, help="With --llm: context budget.")
@_answer_options("history")
def longmemeval(
    data: Path,
    db: str | None,
    sample: int | None,
    per_type: int | None,
    seed: int,
    types: str | None,
    json_out: Path | None,
    understanding: str,
    budget: int,
    with_llm: bool,
    full_context: bool,
    llm_ingest: bool,
) -> None:
    """LongMemEval turn recall@k, recall within token budgets, session recall and NDCG.

    Each question's haystack goes into a fresh scope, each session at its date; the
    question is asked at its question_date. Abstention (_abs) questions are
    left out of recall and reported apart.

    With --llm: answer accuracy by the paper's per-type judge rules, from engramdb's
    context or (--full-context) the whole history.
    """
    from engramdb.eval.longmemeval import QUESTION_TYPES, load_longmemeval, sample_questions
    from engramdb.eval.report import render_lme_table, run_longmemeval

    chosen = [t.strip() for t in types.split(",")] if types else None
    with exit_on_error():
        unknown = sorted(set(chosen or ()) - set(QUESTION_TYPES))
        if unknown:
            raise InvalidInput(f"--types: unknown {unknown}; choose from {list(QUESTION_TYPES)}")
        questions = sample_questions(
            load_longmemeval(data), per_type=per_type, total=sample, types=chosen, seed=seed
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = db or str(Path(tmp) / "longmemeval.db")
            options = _eval_options(understanding)
            if with_llm:
                del options["llm"]  # the configured model answers and judges
            with open_memory(path, **options) as mem:
                if with_llm:
                    report: Any = _lme_answers(mem, questions, budget, full_context, llm_ingest)
                    text = _answer_table(report)
                else:
                    report = run_longmemeval(mem, questions, progress_bar)
                    text = render_lme_table(report)
        click.echo(text)
        if json_out:
            json_out.write_text(json.dumps(report.to_json(), indent=2))


def _lme_answers(
    mem: Memory, questions: list[Any], budget: int, full_context: bool, llm_ingest: bool
) -> Any:
    from engramdb.eval.lme_answers import evaluate_lme_answers

    with progress_bar(len(questions), "q", "answer") as bar:
        return evaluate_lme_answers(
            mem, questions, budget=budget, full_context=full_context, llm_ingest=llm_ingest,
            progress=lambda phase, n: bar.update(n if phase == "questions" else 0),
        )  # fmt: skip


def _eval_options(understanding: str) -> dict[str, Any]:
    from engramdb.pipeline.understand.rules_parser import RulesParser

    options: dict[str, Any] = {"understand": understanding != "none", "llm": None}
    if understanding == "rules":
        options["parser"] = RulesParser()
    return options


def _answer_eval(
    mem: Memory,
    samples: list[Any],
    categories: str,
    budget: int,
    full_context: bool,
    llm_ingest: bool,
    questions: int | None,
) -> Any:
    from engramdb.eval.answers import evaluate_answers

    asked = sum(
        min(len([q for q in s.questions if q.category in categories.split(",")]),
            questions or 10**9)
        for s in samples
    )  # fmt: skip
    with progress_bar(asked, "q", "answer") as bar:
        return evaluate_answers(
            mem, samples, categories=categories.split(","), budget=budget,
            full_context=full_context, llm_ingest=llm_ingest,
            questions_per_conversation=questions,
            progress=lambda phase, n: bar.update(n if phase == "questions" else 0),
        )  # fmt: skip


def _answer_table(report: Any) -> str:
    from engramdb.eval.answers import render_answer_table

    return render_answer_table(report)


for _command in (serve, keys, mcp, migrate, consolidate, answer, jobs, retry):
    cli.add_command(_command)

# every declared operation with a CLI name and no command above gets a generated one
for _op in OPERATIONS.values():
    if _op.cli is not None and _op.cli not in cli.commands:
        cli.add_command(command_for(_op))
