"""Bad input gets a clear error from one exception tree and changes nothing."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest

from engramdb import EngramError, FilterError, InvalidInput, Memory, NotFound
from engramdb.model.validation import MAX_METADATA_DEPTH, MAX_METADATA_VALUES, MAX_TEXT_CHARS


def _unchanged(mem: Memory) -> None:
    assert mem.stats()["memories"] == 1
    assert mem.stats()["events"] == 1


@pytest.fixture
def seeded(mem: Memory) -> Memory:
    mem.add("existing memory", user_id="u")
    return mem


@pytest.mark.parametrize(
    ("messages", "fragment"),
    [
        ([{"role": "user", "content": ""}], "must not be empty"),
        ([{"role": "user", "content": "   \n"}], "must not be empty"),
        ([{"role": "user", "content": 42}], "must be a string"),
        ([{"role": "user", "content": b"bytes"}], "must be a string"),
        ([{"role": "user", "content": "x" * (MAX_TEXT_CHARS + 1)}], "the limit is"),
        ([{"role": "user", "content": "bad \udcff surrogate"}], "not valid Unicode"),
        ([{"role": "user", "content": "hi", "user_id": "x"}], "unknown keys"),
        ([{"role": "robot", "content": "hi"}], "role must be one of"),
        ([{"role": "user", "content": "hi", "timestamp": datetime(2024, 1, 1)}], "naive"),
        ([{"role": "user", "content": "hi", "timestamp": "yesterday"}], "ISO 8601"),
        ([{"role": "user", "content": "hi", "metadata": {"x": object()}}], "is not JSON"),
        ([{"role": "user", "content": "hi", "metadata": {"x": float("nan")}}], "non-finite"),
        ([], "non-empty"),
        (["not a dict"], "must be a dict"),
    ],
)
def test_bad_messages_are_rejected(seeded: Memory, messages: object, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        seeded.add(messages, user_id="u")
    _unchanged(seeded)


@pytest.mark.parametrize(
    "scope",
    [{}, {"user_id": ""}, {"user_id": 7}, {"user_id": "a\x00b"}, {"session_id": "x" * 300}],
)
def test_bad_scopes_are_rejected(seeded: Memory, scope: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        seeded.add("hello", **scope)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        seeded.search("hello", **scope)  # type: ignore[arg-type]
    _unchanged(seeded)


def test_unknown_scope_keyword_is_a_type_error(seeded: Memory) -> None:
    with pytest.raises(TypeError):
        seeded.add("hello", tenant_id="t")  # type: ignore[call-arg]


def test_naive_call_timestamp_is_rejected(seeded: Memory) -> None:
    with pytest.raises(InvalidInput, match="naive"):
        seeded.add("hello", user_id="u", timestamp=datetime(2024, 1, 1))
    _unchanged(seeded)


@pytest.mark.parametrize(
    "filters",
    [
        {"topic": {"like": "x"}},
        {"topic": {}},
        {"AND": []},
        {"OR": {"a": 1}},
        {"year": {"in": []}},
        {"year": {"gt": None}},
        {"bad field!": 1},
        {"x": {"eq": [1, 2]}},
        {"when": {"gte": datetime(2024, 1, 1)}},
        "topic = travel",
    ],
)
def test_bad_filters_are_errors_not_ignored(seeded: Memory, filters: object) -> None:
    with pytest.raises(FilterError):
        seeded.search("memory", user_id="u", filters=filters)  # type: ignore[arg-type]
    with pytest.raises(FilterError):
        seeded.get_all(user_id="u", filters=filters)  # type: ignore[arg-type]


@pytest.mark.parametrize("k", [0, -1, 1001, 2.5, True, "10"])
def test_bad_k(seeded: Memory, k: object) -> None:
    with pytest.raises(InvalidInput, match="k must be"):
        seeded.search("memory", user_id="u", k=k)  # type: ignore[arg-type]


def test_unknown_ids(seeded: Memory) -> None:
    for call in (seeded.get, seeded.delete, seeded.history):
        with pytest.raises(NotFound, match="no memory with id 'nope'"):
            call("nope")
    with pytest.raises(NotFound):
        seeded.update("nope", text="x")
    with pytest.raises(InvalidInput):
        seeded.update(seeded.get_all(user_id="u").memories[0].id)
    with pytest.raises(InvalidInput):
        seeded.get_all(user_id="u", cursor="garbage")
    _unchanged(seeded)


def test_errors_share_one_base_and_builtin_bases() -> None:
    assert issubclass(InvalidInput, EngramError) and issubclass(InvalidInput, ValueError)
    assert issubclass(NotFound, LookupError)


def _nested(depth: int) -> dict[str, object]:
    value: dict[str, object] = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("metadata", "fragment"),
    [
        (_nested(MAX_METADATA_DEPTH + 1), "levels deep"),
        (_nested(300), "levels deep"),
        ({"items": list(range(MAX_METADATA_VALUES + 1))}, "keys and items"),
        ({f"k{i}": i for i in range(MAX_METADATA_VALUES + 1)}, "keys and items"),
        ({"blob": "x" * 70_000}, "bytes"),
    ],
    ids=["depth-limit", "depth-300", "items", "keys", "bytes"],
)
def test_deep_or_huge_metadata_is_bad_input(
    seeded: Memory, metadata: dict[str, object], fragment: str
) -> None:
    for call in (
        lambda: seeded.add("hi", user_id="u", metadata=metadata),
        lambda: seeded.add([{"content": "hi", "metadata": metadata}], user_id="u"),
        lambda: seeded.add_batch([{"messages": "hi", "user_id": "u", "metadata": metadata}]),
    ):
        with pytest.raises(InvalidInput, match=fragment):
            call()
    _unchanged(seeded)
    seeded.add("hi", user_id="u", metadata=_nested(MAX_METADATA_DEPTH))  # the limit itself is fine


def test_an_import_with_deep_metadata_or_json_is_bad_input(seeded: Memory) -> None:
    buffer = io.StringIO()
    seeded.export(buffer)
    header, memory = buffer.getvalue().splitlines()[:2]
    record = {**json.loads(memory), "id": "01J0000000000000000000DEEP", "metadata": _nested(300)}
    for line in (json.dumps(record), '{"type": "memory", "x": ' + "[" * 5000 + "]" * 5000 + "}"):
        with pytest.raises(InvalidInput, match="line 2"):
            seeded.import_(io.StringIO(f"{header}\n{line}\n"))
    _unchanged(seeded)
