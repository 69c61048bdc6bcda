"""Whole-store commands: import, export, stats, reindex, migrate, consolidate."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from engramdb.cli._common import (
    db_option,
    exit_on_error,
    open_memory,
    progress_bar,
    scope_options,
)
from engramdb.engine import Memory
from engramdb.errors import (
    EmbedderMismatch,
    InvalidInput,
)
from engramdb.importers import FORMATS, batch_key, detect_format, message_batches
from engramdb.migrate import migrate as copy_store

__all__ = [
    "consolidate", "export_", "import_", "import_messages", "migrate", "reindex", "stats",
]  # fmt: skip


@click.command()
@db_option
@scope_options
def consolidate(db: str, **scope: Any) -> None:
    """Build episode and session gists, merge duplicate facts, archive faded memories.

    Idempotent and resumable: an interrupted run continues where it stopped, and a
    second run changes nothing. Without a scope, the whole store is consolidated.
    """
    with exit_on_error(), open_memory(db, understand=False) as mem:
        bar = progress_bar(None, "session", "consolidating")

        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        with bar:
            report = mem.consolidate(**scope, progress=advance)
    click.echo(json.dumps(report))


@click.command()
@click.argument("source")
@click.argument("target")
def migrate(source: str, target: str) -> None:
    """Copy the whole store SOURCE into the empty store TARGET, and verify the copy.

    Either may be a SQLite file or a postgresql:// DSN: memories of every status with
    their vectors, history and entity graph, and the API keys. The source is not changed.
    """
    with exit_on_error(), open_memory(source, read_only=True) as src, open_memory(target) as dst:
        report = copy_store(src, dst, progress=lambda message: click.echo(message, err=True))
    click.echo(
        f"copied {report.memories} memories ({report.records} export records) and"
        f" {report.keys} API keys from {source} to {target}; verified, fingerprint"
        f" {report.fingerprint[:16]}"
    )


@click.command(name="import")
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


def import_messages(mem: Memory, source: Path) -> int:
    """Store a file of chat messages (JSONL or JSON, see ``importers``); turns stored."""
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
    "messages": import_messages,
    "locomo": _import_locomo,
    "export": lambda mem, source: mem.import_(source),
}


@click.command(name="export")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def export_(target: Path, db: str) -> None:
    """Export the whole store as versioned JSONL (lossless; `import` reads it back)."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        click.echo(f"exported {mem.export(target)} memories to {target}")


@click.command()
@db_option
def stats(db: str) -> None:
    """Print counts and sizes of the store as JSON."""
    with exit_on_error(), open_memory(db, read_only=True) as mem:
        click.echo(json.dumps(mem.stats(), indent=2))


@click.command()
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
