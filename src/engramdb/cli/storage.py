"""``engramdb migrate`` and ``engramdb consolidate``: whole-store upkeep."""

from __future__ import annotations

import json
from typing import Any

import click

from engramdb.cli._common import db_option, exit_on_error, open_memory, progress_bar, scope_options
from engramdb.migrate import migrate as copy_store

__all__ = ["consolidate", "migrate"]


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
