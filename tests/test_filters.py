"""The filter language: parsing, SQL compilation, and the Python evaluator agree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engramdb import Memory
from engramdb.backends.sqlite.sql import filter_sql, fts_match_sql, scope_where_sql
from engramdb.model.filters import And, Cond, Not, Or, matches, parse_filter
from engramdb.model.memory import Scope
from engramdb.testing import HashEmbedder


def test_parse_shapes() -> None:
    assert parse_filter(None) is None and parse_filter({}) is None
    assert parse_filter({"a": 1}) == Cond("a", "eq", 1)
    assert parse_filter({"a": 1, "b": {"in": [1, 2]}}) == And(
        (Cond("a", "eq", 1), Cond("b", "in", (1, 2)))
    )
    assert parse_filter({"or": [{"a": 1}, {"NOT": {"b": 2}}]}) == Or(
        (Cond("a", "eq", 1), Not(Cond("b", "eq", 2)))
    )
    assert parse_filter({"kind": "episode"}) == Cond("kind", "eq", "episode", column=True)
    assert parse_filter({"metadata.kind": "x"}) == Cond("kind", "eq", "x", column=False)
    when = datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_filter({"t": {"lt": when}}) == Cond("t", "lt", "2024-01-01T00:00:00.000000+00:00")


def test_sql_builders_are_pure() -> None:
    sql, params = scope_where_sql(Scope(user_id="u"), parse_filter({"a": {"gte": 3}}))
    assert sql == (
        "m.user_id = ? AND m.status = 'active' AND (json_type(m.metadata, ?) IN "
        "('integer', 'real') AND json_extract(m.metadata, ?) >= ?)"
    )
    assert params == ["u", '$."a"', '$."a"', 3]
    sql, params = filter_sql(parse_filter({"a": {"nin": [1, True]}}))  # type: ignore[arg-type]
    assert "NOT IN (?, ?)" in sql and params[-2:] == [1, 1]
    assert fts_match_sql(['say "hi"', "x"]) == '"say ""hi""" OR "x"'


values = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["a", "b", "c"]))
conds = st.builds(
    lambda field, op, value: {
        field: {op: [value if value is not None else "b", "a"] if op in ("in", "nin") else value}
    },
    st.sampled_from(["x", "y", "z.w"]),
    st.sampled_from(["eq", "ne", "in", "nin", "gt", "gte", "lt", "lte"]),
    values,
).filter(
    lambda f: (
        not (
            next(iter(next(iter(f.values())))) in ("gt", "gte", "lt", "lte")
            and next(iter(next(iter(f.values())).values())) in (None, True, False)
        )
    )
)
filters = st.recursive(
    conds,
    lambda inner: st.one_of(
        st.builds(lambda items: {"AND": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda items: {"OR": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda item: {"NOT": item}, inner),
    ),
    max_leaves=6,
)
metadatas = st.fixed_dictionaries(
    {}, optional={"x": values, "y": values, "z": st.fixed_dictionaries({}, optional={"w": values})}
)


@settings(max_examples=60, deadline=None)
@given(spec=filters, rows=st.lists(metadatas, min_size=1, max_size=6))
def test_sql_and_python_evaluation_agree(spec: dict, rows: list[dict]) -> None:  # type: ignore[type-arg]
    flt = parse_filter(spec)
    with Memory.open(":memory:", embedder=HashEmbedder()) as mem:
        stored = [mem.add(f"row {i}", user_id="u", metadata=row)[0] for i, row in enumerate(rows)]
        by_sql = {m.id for m in mem.get_all(user_id="u", filters=spec, limit=100).memories}
        by_python = {m.id for m in stored if matches(flt, m)}
    assert by_sql == by_python


@pytest.mark.parametrize(
    ("spec", "expected"),
    [({"x": None}, True), ({"x": {"ne": None}}, False), ({"x": {"in": ["a"]}}, False)],
)
def test_missing_field_semantics(spec: dict, expected: bool) -> None:  # type: ignore[type-arg]
    from engramdb.model.memory import MemoryKind, MemoryRecord

    record = MemoryRecord(
        "id", MemoryKind.EPISODE, "t", Scope("u"), datetime.now(UTC), datetime.now(UTC)
    )
    assert matches(parse_filter(spec), record) is expected


def test_a_page_iterates_its_memories_and_has_a_length() -> None:
    from engramdb import Memory
    from engramdb.testing import HashEmbedder

    with Memory.open(":memory:", embedder=HashEmbedder(), understand=False) as mem:
        mem.add([{"content": f"note {i}"} for i in range(3)], user_id="u")
        page = mem.get_all(user_id="u", limit=2)
        assert len(page) == 2 and [m.text for m in page] == ["note 0", "note 1"]
        assert len(mem.get_all(user_id="nobody")) == 0
