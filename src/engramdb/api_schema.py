"""The declared operations (:mod:`engramdb.api`) as pydantic types, for JSON surfaces.

REST bodies and query parameters, and MCP tool parameters, are built here from the
declarations, so their bounds, defaults and docs are the Python API's.
"""

from __future__ import annotations

import functools
import inspect
import operator
import typing
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, create_model

from engramdb.api import (
    MAX_MESSAGES_PER_ADD,
    OPERATIONS,
    Length,
    Operation,
    Param,
    Range,
    union_members,
)
from engramdb.model.validation import MAX_ID_CHARS, MAX_TEXT_CHARS
from engramdb.types import Unset

__all__ = [
    "AddIn",
    "Id",
    "KeyIn",
    "MessageIn",
    "StepIn",
    "declared_param",
    "is_time",
    "request_model",
    "takes_declared",
    "wire_type",
]

F = TypeVar("F", bound=Callable[..., Any])

Id = Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS)]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS)]
Metadata = dict[str, Any]


class _In(BaseModel):
    # as strict as the Python API: no "5" for 5, no true for 1 (JSON has no datetime
    # type, so times stay lax: an ISO 8601 string is the way to send one)
    model_config = ConfigDict(extra="forbid", strict=True)


class MessageIn(_In):
    """One chat message."""

    role: Literal["user", "assistant", "system", "tool"] = "user"
    content: Text
    name: Id | None = Field(None, description="Who said it (the speaker).")
    timestamp: AwareDatetime | None = Field(None, strict=False, description="When it was said.")
    metadata: Metadata | None = None


class StepIn(_In):
    """One step of a trajectory."""

    action: Annotated[str, Field(min_length=1, max_length=2000)]
    error: str | None = Field(None, max_length=2000, description="What went wrong, if it failed.")


class KeyIn(_In):
    """A new API key."""

    tenant_id: Id
    name: str = Field("", max_length=200)
    admin: bool = False


# the JSON types of the parameters the Python API types loosely (api.Wire)
_WIRE_TYPES: dict[str, Any] = {
    "Messages": Annotated[list[MessageIn], Field(min_length=1, max_length=MAX_MESSAGES_PER_ADD)]
    | Text,
    "Steps": list[Annotated[str, Field(min_length=1, max_length=2000)] | StepIn],
}


def _bounds(param_range: Range | None, length: Length | None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if param_range is not None:
        found.update(ge=param_range.ge, le=param_range.le, gt=param_range.gt, lt=param_range.lt)
    if length is not None:
        found.update(min_length=length.min, max_length=length.max)
    return {k: v for k, v in found.items() if v is not None}


def _member(annotation: Any) -> Any:
    """One type of the Python API as JSON sees it (markers become pydantic constraints)."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        markers = {type(m): m for m in annotation.__metadata__}
        bounds = _bounds(markers.get(Range), markers.get(Length))
        return Annotated[_member(annotation.__origin__), Field(**bounds)]
    if origin in (list, Iterable, Sequence):
        (item,) = typing.get_args(annotation)
        return list[_member(item)]  # type: ignore[misc]
    if annotation is datetime:
        return AwareDatetime
    return annotation


def _members(annotation: Any) -> list[Any]:
    members = list(union_members(annotation))
    if datetime in members:  # the Python API also takes an ISO string: JSON sends only that
        members.remove(str)
    return [m for m in members if m is not Unset]


def wire_type(param: Param) -> Any:
    """A parameter's JSON type, with its declared bounds."""
    bounds = _bounds(param.range, param.length)
    if param.wire is not None:
        wired = _WIRE_TYPES[param.wire]
        return Annotated[wired, Field(**bounds)] if bounds else wired
    members = _members(param.annotation)
    optional = type(None) in members or isinstance(param.default, Unset)
    converted = [_member(m) for m in members if m is not type(None)]
    if bounds:
        converted = [Annotated[m, Field(**bounds)] for m in converted]
    joined = functools.reduce(operator.or_, converted)
    return joined | None if optional else joined


def is_time(param: Param) -> bool:
    """Whether JSON sends the parameter as an ISO 8601 string."""
    return datetime in _members(param.annotation)


def request_model(op: Operation, fields: Sequence[Param]) -> type[BaseModel]:
    """The JSON body of an operation: the declared parameters, bounds, defaults and docs."""
    declared: dict[str, Any] = {}
    for param in fields:
        default = None if isinstance(param.default, Unset) else param.default
        if param.required:
            default = ...
        strict = False if is_time(param) else None
        field = Field(default, description=param.doc or None, strict=strict)
        declared[param.name] = (wire_type(param), field)
    name = (op.route.request if op.route else None) or _camel(op.name) + "In"
    model: type[BaseModel] = create_model(name, __base__=_In, __doc__=op.doc, **declared)
    return model


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.strip("_").split("_"))


AddIn = request_model(OPERATIONS["add"], [
    p for p in OPERATIONS["add"].remote_params if p.name != "idempotency_key"
])  # fmt: skip
_WIRE_TYPES["AddItems"] = list[AddIn]  # type: ignore[valid-type]


def declared_param(operation_name: str, name: str, *, required: bool = False) -> inspect.Parameter:
    """A declared parameter as a keyword parameter of a JSON surface (an MCP tool).

    Its type carries the declared bounds and doc, its default is the declared one;
    ``required`` makes an optional parameter required there.
    """
    param = OPERATIONS[operation_name].param(name)
    annotation = wire_type(param)
    if required:
        members = [m for m in typing.get_args(annotation) if m is not type(None)]
        annotation = functools.reduce(operator.or_, members) if members else annotation
    default = inspect.Parameter.empty if required or param.required else param.default
    field = Field(description=param.doc or None)
    return inspect.Parameter(
        name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default,
        annotation=Annotated[annotation, field],
    )  # fmt: skip


def takes_declared(**declared: tuple[str, str] | tuple[str, str, bool]) -> Callable[[F], F]:
    """Give a tool's parameters the declared types and defaults of operation parameters.

    ``recall(query=("search", "query"))``: the tool's ``query`` is ``search``'s;
    a third item ``True`` makes it required. The mapping is kept on the function
    (``__declared__``) for the surface test.
    """

    def apply(function: F) -> F:
        signature = inspect.signature(function)
        hints = typing.get_type_hints(function, include_extras=True)  # strings to types
        params = []
        for param in signature.parameters.values():
            param = param.replace(annotation=hints.get(param.name, param.annotation))
            if param.name in declared:
                op_name, name, *required = declared[param.name]
                found = declared_param(op_name, name, required=bool(required and required[0]))
                param = found.replace(name=param.name)
            params.append(param)
        required_first = sorted(params, key=lambda p: p.default is not inspect.Parameter.empty)
        function.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=required_first, return_annotation=hints["return"]
        )
        function.__declared__ = {k: v[:2] for k, v in declared.items()}  # type: ignore[attr-defined]
        return function

    return apply
