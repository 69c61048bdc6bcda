"""Commands that forget: delete, delete-all, forget, archive (and restore), fade."""

from __future__ import annotations

from typing import Any

import click

from engramdb.cli._common import (
    db_option,
    declared_option,
    exit_on_error,
    open_memory,
    scope_options,
)

__all__ = ["archive", "delete", "delete_all", "fade", "forget"]


@click.command()
@click.argument("memory_id")
@db_option
def delete(memory_id: str, db: str) -> None:
    """Delete a memory and everything derived from it."""
    with exit_on_error(), open_memory(db) as mem:
        click.echo(f"deleted {len(mem.delete(memory_id))}")


@click.command(name="delete-all")
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


@click.command()
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


@click.command()
@click.argument("memory_id")
@db_option
@click.option("--restore", "undo", is_flag=True, help="Bring it back instead.")
def archive(memory_id: str, db: str, undo: bool) -> None:
    """Archive a memory (kept, restorable, no longer recalled), or restore it."""
    with exit_on_error(), open_memory(db, understand=False) as mem:
        changed = mem.restore(memory_id) if undo else mem.archive(memory_id)
    click.echo(f"{changed.id} {changed.status.value}")


@click.command()
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
