"""A LangGraph ``BaseStore`` on engramdb: ``EngramStore`` (the ``langgraph`` extra).

Items live in one engramdb scope (``agent_id``, default ``"langgraph"``), one session per
namespace; each item is a memory whose text is what its value says (the fields ``index``
names, or every string in it), with the value itself kept in the memory's metadata. Search
with a ``query`` is engramdb's hybrid recall (lexical, dense, entities, time); each result
says why it was found (``item.why``, also in ``item.dict()``). An item put again is a new
version of its memory: the old value stays in the memory's history.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from langgraph.store.base import (
    BaseStore,
    GetOp,
    Item,
    ListNamespacesOp,
    MatchCondition,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
)

from engramdb.engine import Memory
from engramdb.integrations._paging import every_turn
from engramdb.model.memory import MemoryKind, MemoryRecord, Scope

__all__ = ["EngramSearchItem", "EngramStore"]

Compare = Callable[[Any, Any], bool]
_OPERATORS: dict[str, Compare] = {
    "$eq": lambda a, b: a == b,
    "$ne": lambda a, b: a != b,
    "$gt": lambda a, b: float(a) > float(b),
    "$gte": lambda a, b: float(a) >= float(b),
    "$lt": lambda a, b: float(a) < float(b),
    "$lte": lambda a, b: float(a) <= float(b),
}


class EngramSearchItem(SearchItem):
    """A search result, with the reasons engramdb found it (``lexical``, ``dense``, ...)."""

    __slots__ = ("why",)

    def __init__(self, item: Item, score: float | None, why: list[str]) -> None:
        super().__init__(
            item.namespace, item.key, item.value, item.created_at, item.updated_at, score
        )
        self.why = why

    def dict(self) -> dict[str, Any]:  # noqa: D102 - SearchItem's, with the reasons
        return {**super().dict(), "why": self.why}


class EngramStore(BaseStore):
    """LangGraph's store interface over an engramdb :class:`~engramdb.Memory`.

    Args:
        memory: an open engramdb store (a tenant view keeps the items in its tenant).
        agent_id: the scope the items live in.
        index: the value fields that make an item's text (default: every string in it).
    """

    __slots__ = ("agent_id", "fields", "memory")

    def __init__(
        self, memory: Memory, *, agent_id: str = "langgraph", index: list[str] | None = None
    ) -> None:
        self.memory = memory
        self.agent_id = agent_id
        self.fields = index

    # ------------------------------------------------------------ batches
    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the operations in order; one result each (``None`` for a put)."""
        results: list[Result] = []
        for op in ops:
            if isinstance(op, GetOp):
                results.append(self._get(op.namespace, op.key))
            elif isinstance(op, PutOp):
                self._put(op)
                results.append(None)
            elif isinstance(op, SearchOp):
                results.append(self._search(op))
            elif isinstance(op, ListNamespacesOp):
                results.append(self._namespaces(op))
            else:
                raise ValueError(f"unknown operation {type(op).__name__}")
        return results

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """:meth:`batch` on a worker thread."""
        return await asyncio.to_thread(self.batch, list(ops))

    # ----------------------------------------------------------- the ops
    def _get(self, namespace: tuple[str, ...], key: str) -> Item | None:
        found = self._memory_of(namespace, key)
        return None if found is None else _item(found)

    def _put(self, op: PutOp) -> None:
        existing = self._memory_of(op.namespace, op.key)
        if op.value is None:
            if existing is not None:
                self.memory.delete(existing.id)
            return
        now = self.memory.clock.now()
        fields = self.fields if op.index is None else (op.index or None)
        meta = {"key": op.key, "value": op.value, "updated_at": now.isoformat()}
        text = _text(op.value, fields) or op.key
        if existing is None:
            self.memory.add(text, agent_id=self.agent_id, session_id=_session(op.namespace),
                            metadata=meta)  # fmt: skip
        else:
            self.memory.update(existing.id, text=text, metadata=meta)

    def _search(self, op: SearchOp) -> list[SearchItem]:
        if op.query:
            return self._recall(op)
        # in the order the items were first put, as LangGraph's in-memory store lists them
        found = [_item(m) for m in self._listing(op.namespace_prefix) if _admits(op.filter, m)]
        window = found[op.offset : op.offset + op.limit]
        return [SearchItem(i.namespace, i.key, i.value, i.created_at, i.updated_at) for i in window]

    def _recall(self, op: SearchOp) -> list[SearchItem]:
        assert op.query is not None
        wanted = op.offset + op.limit
        session = _session(op.namespace_prefix) if self._is_namespace(op.namespace_prefix) else None
        hits = self.memory.search(
            op.query, agent_id=self.agent_id, session_id=session, k=min(1000, max(50, 5 * wanted))
        )
        results: list[SearchItem] = []
        seen: set[str] = set()
        for hit in hits:
            for memory in _items_behind(hit.memory, hit.sources):
                if memory.id in seen or not _under(memory, op.namespace_prefix):
                    continue
                seen.add(memory.id)
                if _admits(op.filter, memory):
                    why = [signal.name for signal in hit.why]
                    results.append(EngramSearchItem(_item(memory), hit.score, why))
        return results[op.offset : wanted]

    def _namespaces(self, op: ListNamespacesOp) -> list[tuple[str, ...]]:
        logs = self.memory.store.session_logs(self._scope())
        found = {_namespace(log.scope.session_id) for log in logs if log.scope.session_id}
        found = {ns for ns in found if all(_matches(c, ns) for c in op.match_conditions or ())}
        if op.max_depth is not None:
            found = {ns[: op.max_depth] for ns in found}
        return sorted(found)[op.offset : op.offset + op.limit]

    # ------------------------------------------------------------ lookups
    def _scope(self, namespace: tuple[str, ...] | None = None) -> Scope:
        session = None if namespace is None else _session(namespace)
        return Scope(agent_id=self.agent_id, session_id=session, tenant_id=self.memory.tenant_id)

    def _memory_of(self, namespace: tuple[str, ...], key: str) -> MemoryRecord | None:
        page = self.memory.get_all(
            agent_id=self.agent_id, session_id=_session(namespace), filters={"key": key},
            limit=10,
        )  # fmt: skip
        return next((m for m in page if m.kind is MemoryKind.EPISODE), None)

    def _is_namespace(self, prefix: tuple[str, ...]) -> bool:
        """Whether ``prefix`` is a namespace with items and no namespace below it."""
        if not prefix:
            return False
        listed = self._namespaces(ListNamespacesOp(match_conditions=(
            MatchCondition("prefix", prefix),), limit=2))  # fmt: skip
        return listed == [prefix]

    def _listing(self, prefix: tuple[str, ...]) -> Iterator[MemoryRecord]:
        """The items under a namespace prefix, page by page."""
        return (m for m in every_turn(self.memory, agent_id=self.agent_id) if _under(m, prefix))


def _session(namespace: tuple[str, ...]) -> str:
    return json.dumps(list(namespace), ensure_ascii=False, separators=(",", ":"))


def _namespace(session_id: str) -> tuple[str, ...]:
    return tuple(json.loads(session_id))


def _under(memory: MemoryRecord, prefix: tuple[str, ...]) -> bool:
    session = memory.scope.session_id
    return session is not None and _namespace(session)[: len(prefix)] == prefix


def _item(memory: MemoryRecord) -> Item:
    assert memory.scope.session_id is not None
    meta = memory.metadata
    return Item(
        value=meta["value"],
        key=meta["key"],
        namespace=_namespace(memory.scope.session_id),
        created_at=memory.recorded_at,
        updated_at=max(memory.recorded_at, datetime.fromisoformat(meta["updated_at"])),
    )


def _items_behind(memory: MemoryRecord, sources: tuple[MemoryRecord, ...]) -> list[MemoryRecord]:
    """The items a hit stands for: the item itself, or the items a fact was drawn from."""
    candidates = [memory] if memory.kind is MemoryKind.EPISODE else list(sources)
    return [m for m in candidates if "key" in m.metadata and "value" in m.metadata]


def _text(value: Any, fields: list[str] | None) -> str:
    """What an item says: the named fields, or every string in its value."""
    if fields is not None and "$" not in fields:
        picked = [_at_path(value, field) for field in fields]
        return ". ".join(_strings(p) for p in picked if p is not None)
    return _strings(value)


def _at_path(value: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _strings(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return ". ".join(s for s in map(_strings, value.values()) if s)
    if isinstance(value, list | tuple):
        return ". ".join(s for s in map(_strings, value) if s)
    return ""


def _admits(flt: dict[str, Any] | None, memory: MemoryRecord) -> bool:
    value = memory.metadata.get("value", {})
    return not flt or all(_compare(value.get(k), want) for k, want in flt.items())


def _compare(value: Any, want: Any) -> bool:
    """LangGraph's filter semantics: nested dicts, lists, and ``$eq`` ... ``$lte``."""
    if isinstance(want, dict):
        if any(k.startswith("$") for k in want):
            if set(want) - set(_OPERATORS):
                raise ValueError(
                    f"unsupported filter operators {sorted(set(want) - set(_OPERATORS))}"
                )
            return all(_OPERATORS[op](value, operand) for op, operand in want.items())
        return isinstance(value, dict) and all(_compare(value.get(k), v) for k, v in want.items())
    if isinstance(want, list | tuple):
        return (
            isinstance(value, list | tuple)
            and len(value) == len(want)
            and all(_compare(a, b) for a, b in zip(value, want, strict=True))
        )
    return bool(value == want)


def _matches(condition: MatchCondition, namespace: tuple[str, ...]) -> bool:
    path = tuple(condition.path)
    if len(path) > len(namespace):
        return False
    part = namespace[: len(path)] if condition.match_type == "prefix" else namespace[-len(path) :]
    return all(p in ("*", n) for p, n in zip(path, part, strict=True))
