"""Pure SQL builders for the SQLite backend (tested without a database)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence, Sized
from datetime import datetime
from typing import Any, TypeVar

from engramdb.backends.sqlite._rows import to_db_time
from engramdb.model.filters import And, Cond, Filter, Not
from engramdb.model.memory import Scope

__all__ = ["CHUNK", "chunks", "fts_match_sql", "marks", "scope_where_sql"]

T = TypeVar("T")
#: ids bound per statement, well under SQLite's limit on bound parameters
CHUNK = 500
_OPS = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` in consecutive lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def marks(items: Sized) -> str:
    """One ``?`` placeholder per item: ``"?, ?, ?"``."""
    return ", ".join("?" for _ in range(len(items)))


def scope_where_sql(
    scope: Scope,
    flt: Filter | None,
    *,
    active_only: bool = True,
    as_of: datetime | None = None,
    alias: str = "m",
) -> tuple[str, list[Any]]:
    """A WHERE clause (without ``WHERE``) confining rows to ``scope`` and ``flt``.

    ``as_of`` replaces "active" by "true at that time": active or superseded
    memories whose validity interval contains it (archived ones stay out).
    """
    clauses: list[str] = []
    params: list[Any] = []
    for key, value in scope.as_dict().items():
        clauses.append(f"{alias}.{key} = ?")
        params.append(value)
    if as_of is not None:
        at = to_db_time(as_of)
        clauses.append(
            f"{alias}.status IN ('active', 'superseded')"
            f" AND COALESCE({alias}.valid_from, {alias}.occurred_at) <= ?"
            f" AND ({alias}.valid_to IS NULL OR {alias}.valid_to > ?)"
        )
        params.extend([at, at])
    elif active_only:
        clauses.append(f"{alias}.status = 'active'")
    if flt is not None:
        sql, extra = filter_sql(flt, alias)
        clauses.append(sql)
        params.extend(extra)
    return (" AND ".join(clauses) or "1"), params


def filter_sql(flt: Filter, alias: str = "m") -> tuple[str, list[Any]]:
    """Compile a parsed filter into SQL over ``memories`` and its JSON metadata."""
    if isinstance(flt, Cond):
        return _cond_sql(flt, alias)
    if isinstance(flt, Not):
        inner, params = filter_sql(flt.item, alias)
        # two-valued logic: a condition on a missing field is false, so NOT makes it true
        return f"NOT COALESCE(({inner}), 0)", params
    joiner = " AND " if isinstance(flt, And) else " OR "
    parts = [filter_sql(item, alias) for item in flt.items]
    return "(" + joiner.join(p[0] for p in parts) + ")", [v for p in parts for v in p[1]]


def _cond_sql(cond: Cond, alias: str) -> tuple[str, list[Any]]:
    if cond.column:
        target, params = f"{alias}.{cond.field}", []
    else:
        target, params = f"json_extract({alias}.metadata, ?)", [_json_path(cond.field)]
    if cond.op in ("in", "nin"):
        values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
        placeholders = marks(values)
        negate = "NOT " if cond.op == "nin" else ""
        sql = f"({target} IS NOT NULL AND {target} {negate}IN ({placeholders}))"
        return sql, params * 2 + [_sql_value(v) for v in values]
    if cond.value is None:
        return f"{target} IS {'NOT ' if cond.op == 'ne' else ''}NULL", params
    if cond.op == "ne":
        return f"({target} IS NULL OR {target} != ?)", params * 2 + [_sql_value(cond.value)]
    sql = f"{target} {_OPS[cond.op]} ?"
    if cond.op != "eq" and not cond.column:
        # ranges compare like with like: never a number with a string or a boolean
        types = "'text'" if isinstance(cond.value, str) else "'integer', 'real'"
        sql = f"(json_type({alias}.metadata, ?) IN ({types}) AND {sql})"
        return sql, [*params, *params, _sql_value(cond.value)]
    return sql, [*params, _sql_value(cond.value)]


def _json_path(field: str) -> str:
    return "$" + "".join(f'."{part}"' for part in field.split("."))


def _sql_value(value: Any) -> Any:
    # json_extract returns 1/0 for JSON true/false
    return int(value) if isinstance(value, bool) else value


def fts_match_sql(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression that ORs quoted terms (quotes make any term literal)."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
