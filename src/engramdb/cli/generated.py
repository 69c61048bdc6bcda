"""CLI commands built from declared operations that have no hand-written command.

An operation declared with ``cli="name"`` (:mod:`engramdb.api`) and no command of
that name in ``engramdb.cli.main`` gets one here: its positional parameters become
arguments, the others options (``--user`` / ``--agent`` / ``--session`` for the
scope, ``--name-with-dashes`` otherwise), with the declared defaults, bounds and
help; it prints the result's JSON form.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterable, Sequence
from typing import Any

import click

from engramdb.api import Operation, Param, union_members
from engramdb.cli._common import db_option, declared_option, exit_on_error, json_arg, open_memory
from engramdb.wire import to_wire

__all__ = ["command_for"]

SCOPE_FLAGS = {"user_id": "--user", "agent_id": "--agent", "session_id": "--session"}


def _members(param: Param) -> tuple[Any, ...]:
    return union_members(param.annotation)


def _is_list(param: Param) -> bool:
    return any(typing.get_origin(m) in (list, Iterable, Sequence) for m in _members(param))


def _click_param(op: Operation, param: Param) -> Any:
    if param.positional and param.required:
        return click.argument(param.name, nargs=-1 if _is_list(param) else 1, required=True)
    if _is_list(param):
        flag = "--" + param.name.removesuffix("s").replace("_", "-")
        return click.option(flag, param.name, multiple=True, help=param.doc)
    if bool in _members(param):
        flag = param.name.replace("_", "-")
        return click.option(f"--{flag}/--no-{flag}", param.name, default=param.default,
                            show_default=True, help=param.doc)  # fmt: skip
    if param.is_object:
        return click.option("--" + param.name.replace("_", "-"), param.name,
                            help=f"{param.doc} As JSON.")  # fmt: skip
    flag = SCOPE_FLAGS.get(param.name, "--" + param.name.replace("_", "-"))
    return declared_option(op.name, param.name, flag)


def command_for(op: Operation) -> click.Command:
    """A command that runs ``op`` on the store and prints its result as JSON."""
    params = op.remote_params

    def run(db: str, **given: Any) -> None:
        args = {}
        for param in params:
            value = given.get(param.name)
            if value is None or value == ():
                continue
            args[param.name] = json_arg(value, param.name) if param.is_object else value
        with exit_on_error(), open_memory(db) as mem:
            found = to_wire(getattr(mem, op.name)(**args), op.returns)
        click.echo(json.dumps(found, indent=2, ensure_ascii=False, default=str))

    run.__doc__ = op.doc
    for param in reversed(params):
        run = _click_param(op, param)(run)
    return click.command(name=op.cli, help=op.doc)(db_option(run))
