"""Helpers shared by the CLI's command modules: error handling, common options."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from tqdm import tqdm

from engramdb.engine import Memory
from engramdb.errors import (
    ConfigError,
    EngramError,
    InvalidInput,
    NotFound,
    StorageError,
)

__all__ = [
    "EXIT_CODES",
    "db_option",
    "exit_on_error",
    "json_arg",
    "open_memory",
    "owner_options",
    "progress_bar",
    "scope_keys",
    "scope_options",
]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES = (
    (InvalidInput, 2),
    (ConfigError, 2),
    (NotFound, 3),
    (StorageError, 4),
    (EngramError, 1),
)


def _exit_code(exc: EngramError) -> int:
    return next(code for kind, code in EXIT_CODES if isinstance(exc, kind))


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Print engramdb errors as one line and exit with the code of their class."""
    try:
        yield
    except EngramError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(_exit_code(exc))


def db_option(func: F) -> F:
    return click.option(
        "--db",
        envvar="ENGRAMDB_DB",
        default="engramdb.db",
        show_default=True,
        help="SQLite store file (or ENGRAMDB_DB).",
    )(func)


def scope_keys(*names: str) -> Callable[[F], F]:
    """Options ``--user``, ``--agent``, ``--session`` (those named) as ``*_id`` arguments."""

    def decorate(func: F) -> F:
        for name in reversed(names):
            func = click.option(f"--{name}", f"{name}_id", help=f"{name.capitalize()} scope id.")(
                func
            )
        return func

    return decorate


scope_options = scope_keys("user", "agent", "session")
owner_options = scope_keys("user", "agent")  # entities belong to a user or agent


def open_memory(db: str, **kwargs: Any) -> Memory:
    """Open ``db``, with the embedder named by ``ENGRAMDB_EMBEDDER`` when it is set."""
    name = os.environ.get("ENGRAMDB_EMBEDDER")
    if name and "embedder" not in kwargs:
        from engramdb.providers.embedders import load_embedder

        kwargs["embedder"] = load_embedder(name)
    return Memory.open(db, **kwargs)


def json_arg(value: str | None, name: str) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--{name} is not valid JSON: {exc}") from None


def progress_bar(total: int | None, unit: str, desc: str) -> tqdm:
    return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, disable=None, leave=False)
