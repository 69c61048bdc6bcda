"""Helpers shared by the CLI's command modules: error handling, common options."""

from __future__ import annotations

import json
import os
import re
import sys
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, TypeVar

import click

from engramdb.api import OPERATIONS, Param, Range, union_members
from engramdb.cli.progress import progress_bar
from engramdb.engine import Memory
from engramdb.errors import (
    CapabilityMissing,
    ConfigError,
    EngramError,
    InvalidInput,
    NotFound,
    StorageError,
)
from engramdb.ports.llm import ChatModel
from engramdb.types import Unset

__all__ = [
    "EXIT_CODES",
    "configured_llm",
    "db_option",
    "declared_option",
    "exit_on_error",
    "in_cli_terms",
    "json_arg",
    "open_memory",
    "owner_options",
    "progress_bar",
    "scope_keys",
    "scope_options",
]

F = TypeVar("F", bound=Callable[..., Any])

# the exit code of each kind of error (the README lists them; 0 is success)
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
    """Print engramdb errors as one line, in the command's terms, and exit with their code."""
    try:
        yield
    except EngramError as exc:
        click.echo(f"error: {in_cli_terms(str(exc))}", err=True)
        sys.exit(_exit_code(exc))


# the engine's parameter names, as the commands spell them
_FLAGS = {
    "user_id": "--user", "agent_id": "--agent", "session_id": "--session",
    "budget_tokens": "--budget", "recent_turns": "--recent", "as_of": "--as-of",
    "expires_at": "--expires-at", "filters": "--filter", "idempotency_key": "--idempotency-key",
    "timestamp": "--timestamp",
}  # fmt: skip
_NAME = re.compile(r"\b(" + "|".join(map(re.escape, _FLAGS)) + r")\b")


def in_cli_terms(message: str) -> str:
    """An engine message with its parameter names replaced by the commands' flags."""
    return _NAME.sub(lambda m: _FLAGS[m.group(1)], message)


def _click_type(param: Param) -> click.ParamType[Any] | None:
    members = union_members(param.annotation)
    literal = [m for m in members if typing.get_origin(m) is Literal]
    if literal:
        return click.Choice([str(v) for v in typing.get_args(literal[0])])
    if int not in members and float not in members:
        return None
    number: Any = click.IntRange if int in members else click.FloatRange
    found = param.range or Range()
    range_type: click.ParamType[Any] = number(
        min=found.ge if found.gt is None else found.gt,
        max=found.le if found.lt is None else found.lt,
        min_open=found.gt is not None,
        max_open=found.lt is not None,
    )
    return range_type


def declared_option(
    operation: str, name: str, *flags: str, help: str | None = None
) -> Callable[[F], F]:
    """An option for a declared parameter (:mod:`engramdb.api`): its default, bounds and help.

    ``help`` replaces the declared doc where the CLI says it better.
    """
    param = OPERATIONS[operation].param(name)
    default = None if param.required or isinstance(param.default, Unset) else param.default
    option: Callable[[F], F] = click.option(
        *flags, name, type=_click_type(param), default=default,
        show_default=default is not None, help=help or param.doc,
    )  # fmt: skip
    return option


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
    """Open ``db`` with the embedder and LLM the command line names.

    The embedder is named by ``ENGRAMDB_EMBEDDER``; the LLM by the ``--llm-*`` options
    or ``ENGRAMDB_LLM_*`` variables. A command's LLM jobs run in its own process (no
    worker thread) unless the caller asks for ``background``.
    """
    name = os.environ.get("ENGRAMDB_EMBEDDER")
    if name and "embedder" not in kwargs:
        from engramdb.providers.embedders import load_embedder

        kwargs["embedder"] = load_embedder(name)
    if "llm" in kwargs and kwargs["llm"] is None:
        del kwargs["llm"]  # the caller wants no model
    elif "llm" not in kwargs and not kwargs.get("read_only"):
        llm = configured_llm()
        if llm is not None:
            kwargs["llm"] = llm
            kwargs.setdefault("background", False)
    return Memory.open(db, **kwargs)


def configured_llm() -> ChatModel | None:
    """The LLM the command line names (root ``--llm-*`` options over the environment)."""
    settings = dict(os.environ)
    context = click.get_current_context(silent=True)
    if context is not None and isinstance(context.find_root().obj, dict):
        settings.update(context.find_root().obj)
    if not settings.get("ENGRAMDB_LLM_BASE_URL"):
        return None
    try:
        from engramdb.providers.llm.settings import llm_from_env
    except ImportError as exc:  # httpx ships with the core; this is a broken install
        raise CapabilityMissing(f"the LLM client cannot load: {exc}", extra="llm") from exc
    return llm_from_env(settings)


def json_arg(value: str | None, name: str) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--{name} is not valid JSON: {exc}") from None
