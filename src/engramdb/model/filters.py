"""Metadata filters: a small, validated expression language.

A filter is a dict::

    {"topic": "travel"}                                   # equality
    {"year": {"gte": 2020, "lt": 2024}}                   # range (numbers, dates, strings)
    {"tag": {"in": ["a", "b"]}, "draft": {"ne": True}}    # several keys: AND
    {"OR": [{"topic": "travel"}, {"topic": "food"}]}      # AND / OR / NOT combinators

Field names refer to metadata keys (``metadata.key`` is accepted too), except the
built-in columns in :data:`COLUMN_FIELDS`. Unknown operators are errors, never ignored.
Datetime values are compared in UTC.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from engramdb.errors import FilterError

__all__ = [
    "COLUMN_FIELDS",
    "OPERATORS",
    "And",
    "Cond",
    "Filter",
    "Not",
    "Or",
    "matches",
    "parse_filter",
]

OPERATORS = frozenset({"eq", "ne", "in", "nin", "gt", "gte", "lt", "lte"})
COLUMN_FIELDS = frozenset(
    {"kind", "role", "speaker", "status", "occurred_at", "recorded_at", "valid_from", "valid_to"}
)
_FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*(\.[A-Za-z_][A-Za-z0-9_\-]*)*$")
_MAX_DEPTH = 16
_COMPARE = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}

Scalar: TypeAlias = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Cond:
    """``field op value``; ``column`` tells whether field is a built-in column."""

    field: str
    op: str
    value: Scalar | tuple[Scalar, ...]
    column: bool = False


@dataclass(frozen=True, slots=True)
class And:
    """All of ``items`` hold."""

    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one of ``items`` holds."""

    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """``item`` does not hold."""

    item: Filter


Filter: TypeAlias = Cond | And | Or | Not


def parse_filter(spec: Any) -> Filter | None:
    """Validate a filter dict and turn it into an expression tree.

    Args:
        spec: the filter dict, or ``None`` for no filter.

    Returns:
        The parsed filter, or ``None`` when ``spec`` is ``None`` or empty.

    Raises:
        FilterError: the filter is malformed or uses an unknown operator.
    """
    if spec is None or spec == {}:
        return None
    return _parse(spec, depth=0)


def _parse(spec: Any, depth: int) -> Filter:
    if depth > _MAX_DEPTH:
        raise FilterError(f"filter nested deeper than {_MAX_DEPTH} levels")
    if not isinstance(spec, dict) or not spec:
        raise FilterError(f"a filter must be a non-empty dict, got {spec!r}")
    parts = [_parse_entry(key, value, depth) for key, value in spec.items()]
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _parse_entry(key: Any, value: Any, depth: int) -> Filter:
    if not isinstance(key, str):
        raise FilterError(f"filter keys must be strings, got {key!r}")
    upper = key.upper()
    if upper in ("AND", "OR"):
        if not isinstance(value, list) or not value:
            raise FilterError(f"{upper} takes a non-empty list of filters")
        items = tuple(_parse(item, depth + 1) for item in value)
        return And(items) if upper == "AND" else Or(items)
    if upper == "NOT":
        return Not(_parse(value, depth + 1))
    field, column = _field(key)
    if isinstance(value, dict):
        if not value:
            raise FilterError(f"empty operator dict for field {key!r}", field=key)
        conds = [_cond(field, column, op, operand) for op, operand in value.items()]
        return conds[0] if len(conds) == 1 else And(tuple(conds))
    return _cond(field, column, "eq", value)


def _field(key: str) -> tuple[str, bool]:
    name = key.removeprefix("metadata.")
    if not _FIELD_RE.match(name):
        raise FilterError(f"invalid filter field name {key!r}", field=key)
    column = name in COLUMN_FIELDS and not key.startswith("metadata.")
    return name, column


def _cond(field: str, column: bool, op: Any, operand: Any) -> Cond:
    if op not in OPERATORS:
        raise FilterError(
            f"unknown filter operator {op!r} on field {field!r}; "
            f"allowed: {', '.join(sorted(OPERATORS))}",
            field=field,
        )
    if op in ("in", "nin"):
        if not isinstance(operand, list | tuple) or not operand:
            raise FilterError(f"{op!r} takes a non-empty list", field=field)
        if any(v is None for v in operand):
            raise FilterError(f"{op!r} lists cannot hold null; use eq/ne null", field=field)
        return Cond(field, op, tuple(_scalar(field, v) for v in operand), column)
    value = _scalar(field, operand)
    if op in ("gt", "gte", "lt", "lte") and (value is None or isinstance(value, bool)):
        raise FilterError(f"{op!r} needs a number, date or string", field=field)
    return Cond(field, op, value, column)


def _scalar(field: str, value: Any) -> Scalar:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise FilterError("datetimes in filters must be timezone-aware", field=field)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise FilterError(f"unsupported filter value {value!r}", field=field)


def matches(flt: Filter | None, memory: Any) -> bool:
    """Evaluate a parsed filter against a :class:`~engramdb.model.memory.MemoryRecord`.

    Mirrors the SQL semantics of the backends: a missing field equals ``None``, is
    never in a list, and fails every range comparison.
    """
    if flt is None:
        return True
    if isinstance(flt, Not):
        return not matches(flt.item, memory)
    if isinstance(flt, And):
        return all(matches(item, memory) for item in flt.items)
    if isinstance(flt, Or):
        return any(matches(item, memory) for item in flt.items)
    return _holds(flt, _value_of(memory, flt))


def _value_of(memory: Any, cond: Cond) -> Any:
    if cond.column:
        value = getattr(memory, cond.field)
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat(timespec="microseconds")
        return getattr(value, "value", value)
    value = memory.metadata
    for part in cond.field.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _holds(cond: Cond, actual: Any) -> bool:
    expected: Any = cond.value
    if cond.op in ("in", "nin"):
        inside = actual is not None and actual in expected
        return inside if cond.op == "in" else actual is not None and not inside
    if cond.op == "eq":
        return actual == expected if expected is not None else actual is None
    if cond.op == "ne":
        return actual != expected if expected is not None else actual is not None
    if actual is None or isinstance(actual, bool) != isinstance(expected, bool):
        return False
    try:
        return bool(_COMPARE[cond.op](actual, expected))
    except TypeError:  # e.g. a number compared with a string: never true
        return False
