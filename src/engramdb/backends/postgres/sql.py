"""SQL building for the Postgres store: scope clauses and metadata filters, composed safely.

Identifiers are composed with :mod:`psycopg.sql`; every value is a bound parameter.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from psycopg import sql

from engramdb.model.filters import And, Cond, Filter, Not
from engramdb.model.memory import Scope

__all__ = ["filter_sql", "scope_where_sql"]

_OPS = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_TIME_COLUMNS = frozenset({"occurred_at", "recorded_at", "valid_from", "valid_to"})


def _column(alias: str, name: str) -> sql.Composable:
    return sql.Identifier(alias, name)


def scope_where_sql(
    scope: Scope,
    flt: Filter | None,
    *,
    active_only: bool = True,
    as_of: datetime | None = None,
    alias: str = "m",
) -> tuple[sql.Composable, list[Any]]:
    """A WHERE clause (without ``WHERE``) confining rows to ``scope`` and ``flt``."""
    clauses: list[sql.Composable] = []
    params: list[Any] = []
    for key, value in scope.as_dict().items():
        clauses.append(sql.SQL("{} = %s").format(_column(alias, key)))
        params.append(value)
    status, valid_from, valid_to, occurred = (
        _column(alias, c) for c in ("status", "valid_from", "valid_to", "occurred_at")
    )
    if as_of is not None:
        clauses.append(
            sql.SQL(
                "{status} IN ('active', 'superseded') AND COALESCE({vf}, {oc}) <= %s"
                " AND ({vt} IS NULL OR {vt} > %s)"
            ).format(status=status, vf=valid_from, oc=occurred, vt=valid_to)
        )
        params += [as_of, as_of]
    elif active_only:
        clauses.append(sql.SQL("{} = 'active'").format(status))
    if flt is not None:
        compiled, extra = filter_sql(flt, alias)
        clauses.append(compiled)
        params += extra
    if not clauses:
        return sql.SQL("TRUE"), params
    return sql.SQL(" AND ").join(clauses), params


def filter_sql(flt: Filter, alias: str = "m") -> tuple[sql.Composable, list[Any]]:
    """Compile a parsed filter over ``memories`` columns and its jsonb metadata."""
    if isinstance(flt, Cond):
        return _cond_sql(flt, alias)
    if isinstance(flt, Not):
        inner, params = filter_sql(flt.item, alias)
        # two-valued logic: a condition on a missing field is false, so NOT makes it true
        return sql.SQL("NOT COALESCE(({}), FALSE)").format(inner), params
    joiner = sql.SQL(" AND " if isinstance(flt, And) else " OR ")
    parts = [filter_sql(item, alias) for item in flt.items]
    combined = sql.SQL("({})").format(joiner.join(p[0] for p in parts))
    return combined, [v for p in parts for v in p[1]]


def _cond_sql(cond: Cond, alias: str) -> tuple[sql.Composable, list[Any]]:
    if cond.column:
        return _column_cond(cond, alias)
    path = cond.field.split(".")
    value_json = sql.SQL("({} #> %s)").format(_column(alias, "metadata"))
    value_text = sql.SQL("({} #>> %s)").format(_column(alias, "metadata"))
    if cond.op in ("in", "nin"):
        values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
        negate = sql.SQL("NOT " if cond.op == "nin" else "")
        compiled = sql.SQL("({v} IS NOT NULL AND {neg}({v} = ANY(%s::jsonb[])))").format(
            v=value_json, neg=negate
        )
        return compiled, [path, path, [json.dumps(v) for v in values]]
    if cond.value is None:
        null = sql.SQL("IS NOT NULL" if cond.op == "ne" else "IS NULL")
        return sql.SQL("{} {}").format(value_json, null), [path]
    if cond.op == "eq":
        return sql.SQL("{} = %s::jsonb").format(value_json), [path, json.dumps(cond.value)]
    if cond.op == "ne":
        compiled = sql.SQL("({v} IS NULL OR {v} <> %s::jsonb)").format(v=value_json)
        return compiled, [path, path, json.dumps(cond.value)]
    # ranges compare like with like: never a number with a string or a boolean
    op = sql.SQL(_OPS[cond.op])
    if isinstance(cond.value, str):
        compiled = sql.SQL(
            '(jsonb_typeof({v}) = \'string\' AND {t} COLLATE "C" {op} %s COLLATE "C")'
        ).format(v=value_json, t=value_text, op=op)
    else:
        compiled = sql.SQL("(jsonb_typeof({v}) = 'number' AND ({t})::numeric {op} %s)").format(
            v=value_json, t=value_text, op=op
        )
    return compiled, [path, path, cond.value]


def _column_cond(cond: Cond, alias: str) -> tuple[sql.Composable, list[Any]]:
    target = _column(alias, cond.field)
    cast = sql.SQL("::timestamptz" if cond.field in _TIME_COLUMNS else "")
    if cond.op in ("in", "nin"):
        values = list(cond.value) if isinstance(cond.value, tuple) else [cond.value]
        negate = sql.SQL("NOT " if cond.op == "nin" else "")
        compiled = sql.SQL("({t} IS NOT NULL AND {neg}({t} = ANY(%s)))").format(
            t=target, neg=negate
        )
        return compiled, [values]
    if cond.value is None:
        null = sql.SQL("IS NOT NULL" if cond.op == "ne" else "IS NULL")
        return sql.SQL("{} {}").format(target, null), []
    if cond.op == "ne":
        compiled = sql.SQL("({t} IS NULL OR {t} <> %s{c})").format(t=target, c=cast)
        return compiled, [cond.value]
    compiled = sql.SQL("{t} {op} %s{c}").format(t=target, op=sql.SQL(_OPS[cond.op]), c=cast)
    return compiled, [cond.value]
