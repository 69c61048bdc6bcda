"""``engramdb answer``, ``engramdb jobs`` and ``engramdb retry``: the optional LLM layer."""

from __future__ import annotations

import json
from typing import Any

import click

from engramdb.cli._common import (
    db_option,
    declared_option,
    exit_on_error,
    open_memory,
    scope_options,
)

__all__ = ["answer", "jobs", "retry"]


@click.command()
@click.argument("question")
@db_option
@scope_options
@declared_option("answer", "budget_tokens", "--budget")
@click.option("--as-of", help="Answer as things stood at this time (ISO 8601 with offset).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer, citations and context.")
def answer(
    question: str, db: str, budget_tokens: int, as_of: str | None, as_json: bool, **scope: Any
) -> None:
    """Answer a question from memory, citing the memories used (needs an LLM)."""
    with exit_on_error(), open_memory(db) as mem:
        found = mem.answer(question, budget_tokens=budget_tokens, as_of=as_of, **scope)
        if as_json:
            click.echo(json.dumps({**found.to_dict(), "usage": mem.usage()}, indent=2))
            return
        click.echo(found.text)
        for memory_id in found.citations:
            cited = mem.get(memory_id)
            click.echo(f"  [{memory_id}] {cited.occurred_at:%Y-%m-%d} {cited.text[:100]}")


@click.command()
@db_option
@declared_option("jobs", "status", "--status")
@declared_option("jobs", "limit", "--limit")
def jobs(db: str, status: str | None, limit: int) -> None:
    """List the background LLM jobs (oldest first), with the error of failed ones."""
    with exit_on_error(), open_memory(db, understand=False) as mem:
        for job in mem.jobs(status=status, limit=limit):
            click.echo(json.dumps(job.to_dict()))


@click.command()
@click.argument("job_ids", nargs=-1)
@db_option
def retry(job_ids: tuple[str, ...], db: str) -> None:
    """Run failed LLM jobs again (those named, or all), then every pending one."""
    with exit_on_error(), open_memory(db, understand=False) as mem:
        click.echo(json.dumps(mem.retry(list(job_ids) or None)))
