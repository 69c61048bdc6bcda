"""``RemoteMemory``: the ``Memory`` interface over HTTP, for an ``engramdb serve`` server.

Switching between embedded and remote is one line::

    mem = Memory.open("agent.db")
    mem = RemoteMemory("http://127.0.0.1:8080", api_key="edb_...")

Methods take the same arguments and return the same objects; the server's
errors come back as the same exception classes.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import quote

import httpx

from engramdb.api import OPERATIONS, MemoryAPI, Operation
from engramdb.errors import (
    BackendUnavailable,
    CapabilityMissing,
    ConfigError,
    Conflict,
    EmbeddingError,
    EngramError,
    FilterError,
    IntegrityViolation,
    InvalidInput,
    LLMError,
    MigrationError,
    NotFound,
    PermissionDenied,
    RemoteError,
    StorageError,
    Unauthenticated,
)
from engramdb.types import Unset
from engramdb.wire import from_wire

__all__ = ["RemoteMemory"]

_ERROR_OF_STATUS: dict[int, type[EngramError]] = {
    400: ConfigError,
    401: Unauthenticated,
    403: PermissionDenied,
    409: Conflict,
    413: InvalidInput,
    422: InvalidInput,
    501: CapabilityMissing,
    502: LLMError,
    503: BackendUnavailable,
}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _error(response: httpx.Response) -> EngramError:
    """The exception the server's error body names by its ``type`` (the status as fallback)."""
    try:
        body = response.json()["error"]
        message = str(body["message"])
    except (ValueError, KeyError, TypeError):
        return RemoteError(
            f"HTTP {response.status_code}: {response.text[:200]}", status=response.status_code
        )
    named = _ERROR_OF_TYPE.get(str(body.get("type")))
    if named is not None:
        return named(message, body)
    cls = _ERROR_OF_STATUS.get(response.status_code)
    if cls is InvalidInput:
        return InvalidInput(message, field=body.get("field"), index=body.get("index"))
    if cls is None:
        return RemoteError(message, status=response.status_code)
    return cls(message)


def _by_message(cls: type[EngramError]) -> Callable[[str, dict[str, Any]], EngramError]:
    return lambda message, _body: cls(message)


def _invalid(cls: type[InvalidInput]) -> Callable[[str, dict[str, Any]], EngramError]:
    return lambda message, body: cls(message, field=body.get("field"), index=body.get("index"))


# the server's error ``type`` is the class name in the exception tree
_ERROR_OF_TYPE: dict[str, Callable[[str, dict[str, Any]], EngramError]] = {
    "InvalidInput": _invalid(InvalidInput),
    "FilterError": _invalid(FilterError),
    "NotFound": lambda message, body: NotFound(
        str(body.get("memory_id") or message), str(body.get("what") or "memory")
    ),
    **{
        cls.__name__: _by_message(cls)
        for cls in (
            Conflict,
            ConfigError,
            Unauthenticated,
            PermissionDenied,
            CapabilityMissing,
            LLMError,
            BackendUnavailable,
            StorageError,
            MigrationError,
            IntegrityViolation,
            EmbeddingError,
        )
    },
}


def _idempotency(key: str | None) -> dict[str, str]:
    return {} if key is None else {"Idempotency-Key": key}


class RemoteMemory(MemoryAPI):
    """A client for an engramdb server, with the methods of :class:`~engramdb.Memory`.

    Args:
        url: the server's base URL, e.g. ``"http://127.0.0.1:8080"``.
        api_key: the key whose tenant the requests act for (``None`` for a
            server started with ``--no-auth``).
        timeout: seconds to wait for each request.
        transport: an httpx transport (e.g. ``httpx.ASGITransport`` for an
            in-process app); default: HTTP with two connection retries.
    """

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.url = url
        self._http = httpx.Client(
            base_url=url,
            headers=headers,
            timeout=timeout,
            transport=transport or httpx.HTTPTransport(retries=2),
        )

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        if "json" in kwargs:  # datetimes in bodies become ISO 8601 strings
            kwargs["content"] = json.dumps(kwargs.pop("json"), default=_json_default)
            kwargs["headers"] = {**kwargs.get("headers", {}), "Content-Type": "application/json"}
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise BackendUnavailable(f"{self.url}: {exc}", location=self.url) from exc
        if response.is_error:
            raise _error(response)
        return response.json()

    # ------------------------------------------------------ maintenance
    def export(self, target: str | Path | IO[str]) -> int:
        """Like :meth:`Memory.export <engramdb.Memory.export>`: the tenant's memory as JSONL."""
        try:
            with self._http.stream("GET", "/v1/export") as response:
                if response.is_error:
                    response.read()
                    raise _error(response)
                lines = response.iter_lines()
                header = json.loads(next(lines))
                with _writable(target) as out:
                    out.write(json.dumps(header) + "\n")
                    for line in lines:
                        out.write(line + "\n")
        except httpx.TransportError as exc:
            raise BackendUnavailable(f"{self.url}: {exc}", location=self.url) from exc
        return int(header["memories"])

    def import_(self, source: str | Path | IO[str]) -> int:
        """Like :meth:`Memory.import_ <engramdb.Memory.import_>`."""
        if isinstance(source, str | Path):
            text = Path(source).read_text(encoding="utf-8")
        else:
            text = source.read()
        headers = {"Content-Type": "application/x-ndjson"}
        found = self._request("POST", "/v1/import", content=text.encode(), headers=headers)
        return int(found["imported"])

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> RemoteMemory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, op: Operation, values: dict[str, Any]) -> Any:
        """Send one declared operation's arguments where its route wants them."""
        assert op.route is not None  # only served operations are generated
        route = op.route
        path = route.path
        for name in route.path_params:
            path = path.replace("{" + name + "}", _segment(_path_value(values.pop(name), name)))
        headers = {}
        if route.idempotent and values.get("idempotency_key") is not None:
            headers["Idempotency-Key"] = values.pop("idempotency_key")
        given = {k: _jsonable(v) for k, v in values.items() if v is not None}
        if route.method in ("GET", "DELETE"):
            query = {k: _query_value(v) for k, v in given.items()}
            found = self._request(route.method, path, params=query, headers=headers)
        else:
            found = self._request(route.method, path, json=given, headers=headers)
        if route.envelope is not None:
            found = found[route.envelope]
        return from_wire(found, op.returns)


def _path_value(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{name} must be a non-empty string", field=name)
    return value


def _jsonable(value: Any) -> Any:
    """Iterables the Python API accepts (generators, tuples) as JSON lists."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return value
    return [_jsonable(v) for v in value]


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return json.dumps(value, default=_json_default)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _remote(op: Operation) -> Callable[..., Any]:
    """A method that sends ``op`` to the server, with the declared signature."""
    signature = inspect.signature(getattr(MemoryAPI, op.name))
    local = {p.name: p for p in op.params if p.local is not None}

    def call(self: RemoteMemory, /, *args: Any, **kwargs: Any) -> Any:
        values = signature.bind(self, *args, **kwargs).arguments
        del values["self"]
        for name in [n for n in values if n in local]:
            if values.pop(name) != local[name].default:
                raise CapabilityMissing(f"{name} is local-only: {local[name].local.why}")  # type: ignore[union-attr]
        values = {k: v for k, v in values.items() if not isinstance(v, Unset)}
        return self._call(op, values)

    call.__name__ = call.__qualname__ = op.name
    call.__doc__ = f"Like :meth:`Memory.{op.name} <engramdb.Memory.{op.name}>`.\n\n{op.doc}"
    call.__signature__ = signature  # type: ignore[attr-defined]
    return call


for _op in OPERATIONS.values():
    if _op.route is not None and not _op.route.streaming:
        setattr(RemoteMemory, _op.name, _remote(_op))


def _segment(value: str) -> str:
    """One URL path segment (slashes and the like escaped)."""
    return quote(value, safe="")


@contextmanager
def _writable(target: str | Path | IO[str]) -> Iterator[IO[str]]:
    """Open a path for writing, or use an open text stream as is."""
    if isinstance(target, str | Path):
        with open(target, "w", encoding="utf-8") as handle:
            yield handle
    else:
        yield target
