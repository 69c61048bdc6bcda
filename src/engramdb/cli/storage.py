"""``engramdb migrate``: move a store between backends."""

from __future__ import annotations

import click

from engramdb.cli._common import exit_on_error, open_memory
from engramdb.migrate import migrate as copy_store

__all__ = ["migrate"]


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
