"""How an operation is declared: parameter markers, REST routes, and reading them back.

The markers are plain values that each surface translates (pydantic ``Field``, click
``IntRange``, ...), so declaring needs no web framework, CLI library or driver.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

__all__ = [
    "Doc",
    "Length",
    "Local",
    "Operation",
    "Param",
    "Range",
    "Route",
    "Wire",
    "declaration_only",
    "declared",
    "operation",
    "union_members",
]


# ------------------------------------------------------------------ markers
@dataclass(frozen=True, slots=True)
class Range:
    """Numeric bounds of a parameter (inclusive ``ge`` / ``le``, exclusive ``gt`` / ``lt``)."""

    ge: float | None = None
    le: float | None = None
    gt: float | None = None
    lt: float | None = None

    def admits(self, value: float) -> bool:
        """Whether ``value`` lies within the bounds."""
        return not (
            (self.ge is not None and value < self.ge)
            or (self.le is not None and value > self.le)
            or (self.gt is not None and value <= self.gt)
            or (self.lt is not None and value >= self.lt)
        )

    def describe(self) -> str:
        """The bounds in words, for error messages."""
        low = f"from {self.ge:g}" if self.ge is not None else f"above {self.gt:g}"
        high = f"to {self.le:g}" if self.le is not None else f"and below {self.lt:g}"
        return f"{low} {high}"


@dataclass(frozen=True, slots=True)
class Length:
    """Length bounds of a string or a list."""

    min: int | None = None
    max: int | None = None


@dataclass(frozen=True, slots=True)
class Doc:
    """What a parameter means (the REST, MCP and CLI help text)."""

    text: str


@dataclass(frozen=True, slots=True)
class Local:
    """A parameter that only makes sense in the process that holds the store."""

    why: str


@dataclass(frozen=True, slots=True)
class Wire:
    """The name of the wire type a surface uses for a parameter Python types loosely."""

    name: str


@dataclass(frozen=True, slots=True)
class Route:
    """Where REST serves an operation, and how its result is wrapped.

    ``envelope`` names the key the result sits under (``{"hits": [...]}``); ``response``
    names the response schema; ``idempotent`` accepts an ``Idempotency-Key`` header;
    ``streaming`` routes (export, import) are written by hand around a stream.
    """

    method: Literal["GET", "POST", "PATCH", "DELETE"]
    path: str
    status: int = 200
    envelope: str | None = None
    response: str | None = None
    request: str | None = None
    tags: tuple[str, ...] = ("memories",)
    idempotent: bool = False
    streaming: bool = False

    @property
    def path_params(self) -> list[str]:
        """The names of the parameters the path carries (``{memory_id}``)."""
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]


@dataclass(frozen=True, slots=True)
class Param:
    """One declared parameter of an operation."""

    name: str
    annotation: Any  # the type without its markers
    default: Any  # inspect.Parameter.empty when required
    positional: bool
    range: Range | None
    length: Length | None
    doc: str
    local: Local | None
    wire: str | None

    @property
    def required(self) -> bool:
        """Whether callers must give it."""
        return self.default is inspect.Parameter.empty

    @property
    def is_object(self) -> bool:
        """Whether it is a JSON object (a dict), e.g. a metadata filter."""
        members = union_members(self.annotation)
        return any(m is dict or typing.get_origin(m) is dict for m in members)


@dataclass(frozen=True, slots=True)
class Operation:
    """One public operation: its name, parameters, result type and surfaces."""

    name: str
    doc: str
    params: tuple[Param, ...]
    returns: Any
    route: Route | None
    cli: str | None
    mcp: str | None

    def param(self, name: str) -> Param:
        """The parameter called ``name``."""
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(f"{self.name} has no parameter {name!r}")

    @property
    def remote_params(self) -> tuple[Param, ...]:
        """The parameters other processes can send."""
        return tuple(p for p in self.params if p.local is None)


F = TypeVar("F", bound=Callable[..., Any])


def operation(
    route: Route | None = None, *, cli: str | None = None, mcp: str | None = None
) -> Callable[[F], F]:
    """Declare where a :class:`MemoryAPI` method is served."""

    def mark(method: F) -> F:
        method.__engramdb_surfaces__ = (route, cli, mcp)  # type: ignore[attr-defined]
        return method

    return mark


def declaration_only() -> TypeError:
    """The error a declared operation's body raises (it is only a declaration)."""
    # a body that is not "..." keeps type checkers from taking the operations for
    # abstract methods in the classes that subclass the protocol (RemoteMemory)
    return TypeError("MemoryAPI declares the operations: call them on Memory or RemoteMemory")


def declared(method: Callable[..., Any], names: dict[str, Any]) -> Operation:
    """The operation a :class:`MemoryAPI` method declares (``names``: its result types)."""
    route, cli, mcp = method.__engramdb_surfaces__  # type: ignore[attr-defined]
    hints = typing.get_type_hints(method, include_extras=True, localns=names)
    params = []
    for param in list(inspect.signature(method).parameters.values())[1:]:
        params.append(_param(param, hints[param.name]))
    doc = _description(inspect.getdoc(method) or "")
    return Operation(method.__name__, doc, tuple(params), hints["return"], route, cli, mcp)


def _description(docstring: str) -> str:
    """A docstring without its ``Args:``, ``Returns:`` and ``Raises:`` sections.

    The surfaces document each parameter from its :class:`Doc` and their errors in their
    own terms (status codes, exit codes); the rest of the docstring is the operation's.
    """
    kept = []
    for line in docstring.splitlines():
        if line.rstrip() in _SECTIONS:
            break
        kept.append(line)
    # a Sphinx role means nothing to a REST client or an MCP model: keep the name only
    return _ROLE.sub(lambda m: f"`{m.group(1).rsplit('.', 1)[-1]}`", "\n".join(kept)).strip()


_SECTIONS = frozenset({"Args:", "Returns:", "Raises:", "Yields:"})
_ROLE = re.compile(r":[a-z]+:`~?([^`<]+?)(?:\s*<[^>]*>)?`")


def _param(param: inspect.Parameter, hint: Any) -> Param:
    markers: dict[type, Any] = {}
    while typing.get_origin(hint) is Annotated:
        for marker in hint.__metadata__:
            markers.setdefault(type(marker), marker)
        hint = hint.__origin__
    return Param(
        name=param.name,
        annotation=hint,
        default=param.default,
        positional=param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD,
        range=markers.get(Range),
        length=markers.get(Length),
        doc=markers[Doc].text if Doc in markers else "",
        local=markers.get(Local),
        wire=markers[Wire].name if Wire in markers else None,
    )


def union_members(annotation: Any) -> tuple[Any, ...]:
    """The members of a union type (``int | None``: int, NoneType); another type alone."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)
