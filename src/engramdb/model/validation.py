"""Validate everything that enters the engine; reject with a clear error, change nothing.

Limits (documented in the README):

* a message's content: 1 to :data:`MAX_TEXT_CHARS` characters, valid Unicode
  (no lone surrogates), not only whitespace;
* at most :data:`MAX_MESSAGES` messages per call;
* scope ids: non-empty strings of at most :data:`MAX_ID_CHARS` characters without
  control characters;
* datetimes must be timezone-aware (naive ones are rejected rather than guessed);
* metadata: a JSON-serialisable dict with string keys, at most :data:`MAX_METADATA_BYTES`
  bytes once encoded, nested at most :data:`MAX_METADATA_DEPTH` levels deep, with at most
  :data:`MAX_METADATA_VALUES` keys and list items in all; datetimes inside it are stored
  as UTC ISO 8601 strings.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from engramdb.errors import InvalidInput
from engramdb.model.memory import Scope

__all__ = [
    "ADD_KEYS",
    "MAX_ID_CHARS",
    "MAX_MESSAGES",
    "MAX_METADATA_BYTES",
    "MAX_METADATA_DEPTH",
    "MAX_METADATA_VALUES",
    "MAX_TEXT_CHARS",
    "Turn",
    "add_items",
    "check_id",
    "check_text",
    "check_time",
    "naming_item",
    "normalize_messages",
    "normalize_metadata",
    "normalize_scope",
]

MAX_TEXT_CHARS = 100_000
MAX_MESSAGES = 10_000
MAX_ID_CHARS = 256
MAX_METADATA_BYTES = 64_000
MAX_METADATA_DEPTH = 32
MAX_METADATA_VALUES = 10_000
ROLES = frozenset({"user", "assistant", "system", "tool"})
_MESSAGE_KEYS = frozenset({"role", "content", "name", "timestamp", "metadata"})


@dataclass(frozen=True, slots=True)
class Turn:
    """One validated message."""

    role: str
    content: str
    name: str | None = None
    timestamp: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def normalize_scope(
    user_id: Any = None, agent_id: Any = None, session_id: Any = None, *, required: bool = True
) -> Scope:
    """Validate scope ids; at least one is needed when ``required``."""
    scope = Scope(
        _optional_id(user_id, "user_id"),
        _optional_id(agent_id, "agent_id"),
        _optional_id(session_id, "session_id"),
    )
    if required and scope.is_empty():
        raise InvalidInput(
            "name a scope: at least one of user_id, agent_id or session_id", field="scope"
        )
    return scope


def _optional_id(value: Any, name: str) -> str | None:
    if value is None:
        return None
    return check_id(value, name)


def check_id(value: Any, name: str) -> str:
    """A non-blank id of at most :data:`MAX_ID_CHARS` characters, without control characters."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string, got {type(value).__name__}", field=name)
    if not value.strip() or len(value) > MAX_ID_CHARS:
        raise InvalidInput(f"{name} must be 1 to {MAX_ID_CHARS} characters", field=name)
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise InvalidInput(f"{name} must not contain control characters", field=name)
    _check_encodable(value, name)
    return value


def check_text(value: Any, name: str = "content") -> str:
    """A non-blank, encodable string of at most :data:`MAX_TEXT_CHARS` characters."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string, got {type(value).__name__}", field=name)
    if not value.strip():
        raise InvalidInput(f"{name} must not be empty", field=name)
    if len(value) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"{name} has {len(value)} characters; the limit is {MAX_TEXT_CHARS}", field=name
        )
    _check_encodable(value, name)
    return value


def _check_encodable(value: str, name: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            f"{name} is not valid Unicode (lone surrogate at position {exc.start}); "
            "decode bytes as UTF-8 before passing them",
            field=name,
        ) from None


def check_time(value: Any, name: str = "timestamp") -> datetime:
    """A timezone-aware datetime (or ISO 8601 string with offset), converted to UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                f"{name} is not an ISO 8601 datetime: {value!r}", field=name
            ) from None
    if not isinstance(value, datetime):
        raise InvalidInput(f"{name} must be a datetime, got {type(value).__name__}", field=name)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{name} has no UTC offset: give one, e.g. 2024-05-01T12:00:00+00:00"
            " (a naive datetime is refused rather than guessed)",
            field=name,
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+00:01 is before the first representable instant
        raise InvalidInput(f"{name} is out of range: {value.isoformat()}", field=name) from None


def normalize_metadata(value: Any, name: str = "metadata") -> dict[str, Any]:
    """A JSON-compatible copy of ``value`` with datetimes as UTC ISO strings."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{name} must be a dict, got {type(value).__name__}", field=name)
    clean = _Jsonable(name).convert(dict(value), 1)
    encoded = json.dumps(clean, ensure_ascii=False)
    if len(encoded.encode()) > MAX_METADATA_BYTES:
        raise InvalidInput(f"{name} exceeds {MAX_METADATA_BYTES} bytes", field=name)
    return clean  # type: ignore[no-any-return]


class _Jsonable:
    """Converts one metadata value, counting what it holds so a huge one stops early."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values = 0

    def convert(self, value: Any, depth: int) -> Any:
        name = self.name
        if isinstance(value, datetime):
            return check_time(value, name).isoformat(timespec="microseconds")
        if isinstance(value, Mapping | list | tuple):
            self._count(value, depth)
        if isinstance(value, Mapping):
            if not all(isinstance(k, str) for k in value):
                raise InvalidInput(f"{name} keys must be strings", field=name)
            return {k: self.convert(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.convert(v, depth + 1) for v in value]
        if isinstance(value, str):
            _check_encodable(value, name)
            return value
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise InvalidInput(f"{name} contains a non-finite number", field=name)
        if value is None or isinstance(value, bool | int | float):
            return value
        raise InvalidInput(f"{name} value of type {type(value).__name__} is not JSON", field=name)

    def _count(self, value: Mapping[Any, Any] | list[Any] | tuple[Any, ...], depth: int) -> None:
        if depth > MAX_METADATA_DEPTH:
            raise InvalidInput(
                f"{self.name} is nested more than {MAX_METADATA_DEPTH} levels deep", field=self.name
            )
        self.values += len(value)
        if self.values > MAX_METADATA_VALUES:
            raise InvalidInput(
                f"{self.name} holds more than {MAX_METADATA_VALUES} keys and items",
                field=self.name,
            )


def normalize_messages(messages: Any) -> list[Turn]:
    """Validate a message list (or a single string, taken as one user message)."""
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    if isinstance(messages, Mapping):
        messages = [messages]
    if not isinstance(messages, Sequence) or not messages:
        raise InvalidInput(
            "messages must be a non-empty list of dicts or a string", field="messages"
        )
    if len(messages) > MAX_MESSAGES:
        raise InvalidInput(f"at most {MAX_MESSAGES} messages per call", field="messages")
    return [_turn(message, index) for index, message in enumerate(messages)]


def _turn(message: Any, index: int) -> Turn:
    where = f"messages[{index}]"
    if not isinstance(message, Mapping):
        raise InvalidInput(f"{where} must be a dict", field="messages")
    unknown = set(message) - _MESSAGE_KEYS
    if unknown:
        raise InvalidInput(
            f"{where} has unknown keys {sorted(map(str, unknown))}; "
            f"allowed: {', '.join(sorted(_MESSAGE_KEYS))}",
            field="messages",
        )
    role = message.get("role", "user")
    if role not in ROLES:
        raise InvalidInput(f"{where}.role must be one of {sorted(ROLES)}", field="role")
    name = message.get("name")
    if name is not None:
        name = check_id(name, f"{where}.name")
    stamp = message.get("timestamp")
    return Turn(
        role=role,
        content=check_text(message.get("content"), f"{where}.content"),
        name=name,
        timestamp=None if stamp is None else check_time(stamp, f"{where}.timestamp"),
        metadata=normalize_metadata(message.get("metadata"), f"{where}.metadata"),
    )


ADD_KEYS = frozenset(
    {
        "messages", "user_id", "agent_id", "session_id", "timestamp", "metadata", "importance",
        "expires_at",
    }
)  # fmt: skip


def add_items(items: Iterable[Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """The items of a batch of adds with their index, each a mapping of ``add``'s keywords.

    Raises:
        InvalidInput: an item is not a dict with ``messages``, or has unknown keys.
    """
    for index, item in enumerate(items):
        if not isinstance(item, Mapping) or "messages" not in item:
            raise InvalidInput(f"items[{index}] must be a dict with messages", index=index)
        unknown = set(item) - ADD_KEYS
        if unknown:
            raise InvalidInput(f"items[{index}] has unknown keys {sorted(unknown)}", index=index)
        yield index, item


@contextmanager
def naming_item(index: int) -> Iterator[None]:
    """Name the batch item in an error raised while it is handled: ``items[3]: ...``."""
    try:
        yield
    except InvalidInput as exc:
        raise InvalidInput(f"items[{index}]: {exc}", field=exc.field, index=index) from exc
