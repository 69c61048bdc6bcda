"""``RemoteMemory``: the ``Memory`` interface over HTTP, for an ``engramdb serve`` server.

Switching between embedded and remote is one line::

    mem = Memory.open("agent.db")
    mem = RemoteMemory("http://127.0.0.1:8080", api_key="edb_...")

Methods take the same arguments and return the same objects; the server's
errors come back as the same exception classes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import quote

import httpx

from engramdb.answering import Answer, answer_from_dict
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
from engramdb.model.codec import memory_from_dict
from engramdb.model.graph import Entity, EntityPage
from engramdb.model.memory import MemoryEvent, MemoryRecord
from engramdb.model.procedure import Procedure
from engramdb.model.query import Hit, Page
from engramdb.pipeline.understand.profile import Profile
from engramdb.retrieval.context import Context
from engramdb.types import UNSET, Unset
from engramdb.wire import (
    context_from_dict,
    entity_from_dict,
    entity_page_from_dict,
    event_from_dict,
    hit_from_dict,
    page_from_dict,
    procedure_from_dict,
    profile_from_dict,
)

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


def _given(**values: Any) -> dict[str, Any]:
    """The arguments that were given (``None`` ones are left to the server's defaults)."""
    return {k: v for k, v in values.items() if v is not None}


class RemoteMemory:
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

    # ------------------------------------------------------------ writes
    def add(
        self,
        messages: Any,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        timestamp: datetime | str | None = None,
        metadata: dict[str, Any] | None = None,
        importance: float | None = None,
        expires_at: datetime | str | None = None,
        idempotency_key: str | None = None,
    ) -> list[MemoryRecord]:
        """Like :meth:`Memory.add <engramdb.Memory.add>` (the key goes as ``Idempotency-Key``)."""
        body = _given(
            messages=messages, user_id=user_id, agent_id=agent_id, session_id=session_id,
            timestamp=timestamp, metadata=metadata, importance=importance, expires_at=expires_at,
        )  # fmt: skip
        found = self._request(
            "POST", "/v1/memories", json=body, headers=_idempotency(idempotency_key)
        )
        return [memory_from_dict(m) for m in found["memories"]]

    def add_batch(
        self, items: Iterable[Mapping[str, Any]], *, idempotency_key: str | None = None
    ) -> list[list[MemoryRecord]]:
        """Like :meth:`Memory.add_batch <engramdb.Memory.add_batch>`."""
        body = {"items": [_given(**item) for item in items]}
        found = self._request(
            "POST", "/v1/memories/batch", json=body, headers=_idempotency(idempotency_key)
        )
        return [[memory_from_dict(m) for m in stored] for stored in found["results"]]

    def update(
        self,
        memory_id: str,
        *,
        text: str | Unset = UNSET,
        metadata: dict[str, Any] | Unset = UNSET,
    ) -> MemoryRecord:
        """Like :meth:`Memory.update <engramdb.Memory.update>`."""
        body = {k: v for k, v in (("text", text), ("metadata", metadata)) if v is not UNSET}
        return memory_from_dict(self._request("PATCH", self._memory_path(memory_id), json=body))

    def delete(self, memory_id: str) -> list[str]:
        """Like :meth:`Memory.delete <engramdb.Memory.delete>`."""
        deleted: list[str] = self._request("DELETE", self._memory_path(memory_id))["deleted"]
        return deleted

    def delete_all(
        self,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
    ) -> int:
        """Like :meth:`Memory.delete_all <engramdb.Memory.delete_all>`."""
        params = _given(user_id=user_id, agent_id=agent_id, session_id=session_id)
        return int(self._request("DELETE", "/v1/memories", params=params)["deleted"])

    def forget(
        self,
        memory_id: str | None = None,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
    ) -> int:
        """Like :meth:`Memory.forget <engramdb.Memory.forget>`."""
        body = _given(
            memory_id=memory_id, user_id=user_id, agent_id=agent_id, session_id=session_id
        )
        return int(self._request("POST", "/v1/forget", json=body)["forgotten"])

    def feedback(self, memory_ids: Iterable[str], *, useful: bool = True) -> int:
        """Like :meth:`Memory.feedback <engramdb.Memory.feedback>`."""
        body = {"memory_ids": list(memory_ids), "useful": useful}
        return int(self._request("POST", "/v1/feedback", json=body)["reinforced"])

    def archive(self, memory_id: str) -> MemoryRecord:
        """Like :meth:`Memory.archive <engramdb.Memory.archive>`."""
        path = self._memory_path(memory_id) + "/archive"
        return memory_from_dict(self._request("POST", path))

    def restore(self, memory_id: str) -> MemoryRecord:
        """Like :meth:`Memory.restore <engramdb.Memory.restore>`."""
        path = self._memory_path(memory_id) + "/restore"
        return memory_from_dict(self._request("POST", path))

    def fade(
        self,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        threshold: float = 0.05,
    ) -> dict[str, int]:
        """Like :meth:`Memory.fade <engramdb.Memory.fade>`."""
        body = _given(
            user_id=user_id, agent_id=agent_id, session_id=session_id, threshold=threshold
        )
        found = self._request("POST", "/v1/fade", json=body)
        return {"archived": int(found["archived"]), "expired": int(found["expired"])}

    def add_trajectory(
        self,
        task: str,
        steps: Sequence[str | Mapping[str, Any]],
        outcome: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        timestamp: datetime | str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> MemoryRecord:
        """Like :meth:`Memory.add_trajectory <engramdb.Memory.add_trajectory>`."""
        body = _given(
            task=task, steps=list(steps), outcome=outcome, user_id=user_id, agent_id=agent_id,
            session_id=session_id, timestamp=timestamp, metadata=metadata,
        )  # fmt: skip
        return memory_from_dict(self._request("POST", "/v1/trajectories", json=body))

    def procedures(
        self, task: str, *, user_id: str | None = None, agent_id: str | None = None, k: int = 3
    ) -> list[Procedure]:
        """Like :meth:`Memory.procedures <engramdb.Memory.procedures>`."""
        params = _given(task=task, user_id=user_id, agent_id=agent_id, k=k)
        found = self._request("GET", "/v1/procedures", params=params)["procedures"]
        return [procedure_from_dict(p) for p in found]

    # ------------------------------------------------------------- reads
    def search(
        self,
        query: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        k: int = 10,
        filters: dict[str, Any] | None = None,
        budget_tokens: int | None = None,
        as_of: datetime | str | None = None,
    ) -> list[Hit]:
        """Like :meth:`Memory.search <engramdb.Memory.search>`."""
        body = _given(
            query=query, user_id=user_id, agent_id=agent_id, session_id=session_id, k=k,
            filters=filters, budget_tokens=budget_tokens, as_of=as_of,
        )  # fmt: skip
        return [hit_from_dict(h) for h in self._request("POST", "/v1/search", json=body)["hits"]]

    def context(
        self,
        query: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        budget_tokens: int = 1500,
        recent_turns: int = 3,
        as_of: datetime | str | None = None,
        reinforce: bool = True,
    ) -> Context:
        """Like :meth:`Memory.context <engramdb.Memory.context>`."""
        body = _given(
            query=query, user_id=user_id, agent_id=agent_id, session_id=session_id,
            budget_tokens=budget_tokens, recent_turns=recent_turns, as_of=as_of,
            reinforce=reinforce,
        )  # fmt: skip
        return context_from_dict(self._request("POST", "/v1/context", json=body))

    def answer(
        self,
        question: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        budget_tokens: int = 1500,
        as_of: datetime | str | None = None,
    ) -> Answer:
        """Like :meth:`Memory.answer <engramdb.Memory.answer>` (the server needs an LLM)."""
        body = _given(
            question=question, user_id=user_id, agent_id=agent_id, session_id=session_id,
            budget_tokens=budget_tokens, as_of=as_of,
        )  # fmt: skip
        return answer_from_dict(self._request("POST", "/v1/answer", json=body))

    def get(
        self,
        memory_id: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
    ) -> MemoryRecord:
        """Like :meth:`Memory.get <engramdb.Memory.get>`."""
        found = memory_from_dict(self._request("GET", self._memory_path(memory_id)))
        wanted = _given(user_id=user_id, agent_id=agent_id, session_id=session_id)
        if any(getattr(found.scope, key) != value for key, value in wanted.items()):
            raise NotFound(memory_id)
        return found

    def get_all(
        self,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        filters: dict[str, Any] | None = None,
        limit: int = 100,
        cursor: str | None = None,
        include_inactive: bool = False,
        include_superseded: bool = False,
    ) -> Page:
        """Like :meth:`Memory.get_all <engramdb.Memory.get_all>`."""
        params = _given(
            user_id=user_id, agent_id=agent_id, session_id=session_id,
            filters=None if filters is None else json.dumps(filters, default=_json_default),
            limit=limit, cursor=cursor,
            include_inactive=str(include_inactive).lower(),
            include_superseded=str(include_superseded).lower(),
        )  # fmt: skip
        return page_from_dict(self._request("GET", "/v1/memories", params=params))

    def history(self, memory_id: str) -> list[MemoryEvent]:
        """Like :meth:`Memory.history <engramdb.Memory.history>`."""
        found = self._request("GET", self._memory_path(memory_id) + "/history")
        return [event_from_dict(e) for e in found["events"]]

    def entities(self, *, user_id: str | None = None, agent_id: str | None = None) -> list[Entity]:
        """Like :meth:`Memory.entities <engramdb.Memory.entities>`."""
        params = _given(user_id=user_id, agent_id=agent_id)
        found = self._request("GET", "/v1/entities", params=params)
        return [entity_from_dict(e) for e in found["entities"]]

    def entity(
        self, name_or_id: str, *, user_id: str | None = None, agent_id: str | None = None
    ) -> EntityPage:
        """Like :meth:`Memory.entity <engramdb.Memory.entity>`."""
        path = f"/v1/entities/{_segment(name_or_id)}"
        found = self._request("GET", path, params=_given(user_id=user_id, agent_id=agent_id))
        return entity_page_from_dict(found)

    def profile(
        self, person: str, *, user_id: str | None = None, agent_id: str | None = None
    ) -> Profile:
        """Like :meth:`Memory.profile <engramdb.Memory.profile>`."""
        path = f"/v1/profiles/{_segment(person)}"
        found = self._request("GET", path, params=_given(user_id=user_id, agent_id=agent_id))
        return profile_from_dict(found)

    def ping(self) -> None:
        """Like :meth:`Memory.ping <engramdb.Memory.ping>`: the server and its store answer."""
        self._request("GET", "/ready")

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

    @staticmethod
    def _memory_path(memory_id: str) -> str:
        if not isinstance(memory_id, str) or not memory_id:
            raise InvalidInput("memory_id must be a non-empty string", field="memory_id")
        return f"/v1/memories/{_segment(memory_id)}"


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
