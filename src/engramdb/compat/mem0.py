"""A drop-in for Mem0 OSS's ``Memory``: Mem0's methods, arguments and result shapes, on engramdb.

Change one import and a Mem0 app runs on engramdb::

    from engramdb.compat.mem0 import Memory   # was: from mem0 import Memory

    m = Memory()
    m.add([{"role": "user", "content": "I love sci-fi movies"}], user_id="alice")
    m.search("What does Alice like?", filters={"user_id": "alice"})   # {"results": [...]}

Both generations of Mem0's scoping are taken: ``user_id=`` / ``agent_id=`` / ``run_id=``
(``run_id`` is engramdb's ``session_id``) and ``filters={"user_id": ...}``, ``limit=`` and
``top_k=``. What differs (the README has the table): no LLM is needed to ``infer`` (engramdb's
understanding draws the facts), the turns are kept verbatim besides the facts and are
recalled too, and a ``threshold`` applies to engramdb's fused scores, not to cosine similarity.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from engramdb.engine import Memory as Engine
from engramdb.errors import InvalidInput, NotFound
from engramdb.model.memory import EventKind, MemoryKind, MemoryRecord, Scope

__all__ = ["DEFAULT_PATH", "Memory"]

DEFAULT_PATH = Path.home() / ".engramdb" / "mem0.db"
_SCOPE_KEYS = ("user_id", "agent_id", "run_id")
_EVENTS = {EventKind.ADD: "ADD", EventKind.UPDATE: "UPDATE", EventKind.DELETE: "DELETE"}


class Memory:
    """Mem0's ``Memory`` on an engramdb store.

    Args:
        engine: an open engramdb store to use (default: the file at ``path``).
        path: where the store is kept (default ``~/.engramdb/mem0.db``).
    """

    def __init__(self, engine: Engine | None = None, *, path: str | Path | None = None) -> None:
        if engine is None:
            location = Path(path) if path is not None else DEFAULT_PATH
            location.parent.mkdir(parents=True, exist_ok=True)
            engine = Engine.open(location)
        self.engine = engine

    @classmethod
    def from_config(cls, config: dict[str, Any] | None = None) -> Memory:
        """Mem0's constructor from a config dict.

        Only ``path`` is read: engramdb needs no vector store, embedder or LLM settings
        (its own are local).
        """
        return cls(path=(config or {}).get("path"))

    # ------------------------------------------------------------ writes
    def add(
        self,
        messages: Any,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        run_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        infer: bool = True,
        timestamp: Any = None,
        expiration_date: str | None = None,
        memory_type: str | None = None,
        prompt: str | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        """Store messages; ``results`` lists the memories made, each with ``event: "ADD"``.

        With ``infer`` (the default) those are the facts understood from the messages (the
        turns themselves when none was), otherwise the turns as they were said.
        ``expiration_date`` (``YYYY-MM-DD``) is a TTL; ``timestamp`` is when they were said.
        ``memory_type`` and ``prompt`` (for Mem0's LLM) change nothing here.
        """
        scope = _scope(user_id=user_id, agent_id=agent_id, run_id=run_id)
        expires = None if expiration_date is None else f"{expiration_date}T00:00:00+00:00"
        turns = self.engine.add(
            messages, metadata=metadata, timestamp=timestamp, expires_at=expires, **scope
        )
        made = self._facts_of(turns) if infer else []
        return {"results": [{**self._item(m), "event": "ADD"} for m in made or turns]}

    def update(
        self,
        memory_id: str,
        text: str | None = None,
        metadata: dict[str, Any] | None = None,
        data: str | None = None,
    ) -> dict[str, str]:
        """Change a memory's text (``text`` or Mem0's older ``data``) and / or metadata."""
        new_text = text if text is not None else data
        changes: dict[str, Any] = {} if new_text is None else {"text": new_text}
        if metadata is not None:
            changes["metadata"] = metadata
        self.engine.update(memory_id, **changes)
        return {"message": "Memory updated successfully!"}

    def delete(self, memory_id: str) -> dict[str, str]:
        """Delete a memory (and what was drawn from it)."""
        self.engine.delete(memory_id)
        return {"message": "Memory deleted successfully!"}

    def delete_all(
        self, user_id: str | None = None, agent_id: str | None = None, run_id: str | None = None
    ) -> dict[str, str]:
        """Delete every memory of a scope."""
        self.engine.delete_all(**_scope(user_id=user_id, agent_id=agent_id, run_id=run_id))
        return {"message": "Memories deleted successfully!"}

    def reset(self) -> None:
        """Erase everything in the store, for good."""
        store = self.engine.store
        everything = Scope(tenant_id=self.engine.tenant_id)
        scopes = {m.scope for ids in store.iter_ids(everything, 1000)
                  for m in store.get_many(ids).values()}  # fmt: skip
        for scope in scopes:
            keys = {"user_id": scope.user_id, "agent_id": scope.agent_id}
            self.engine.forget(session_id=scope.session_id, **keys)

    # ------------------------------------------------------------- reads
    def search(
        self,
        query: str,
        *,
        filters: dict[str, Any] | None = None,
        top_k: int | None = None,
        limit: int | None = None,
        threshold: float | None = None,
        **scope_keys: Any,
    ) -> dict[str, list[dict[str, Any]]]:
        """The memories that answer ``query``, best first, each with its ``score``."""
        scope, rest = _split_filters(filters, scope_keys)
        k = top_k or limit or 20
        hits = self.engine.search(query, k=k, filters=rest or None, **scope)
        found = [{**self._item(h.memory), "score": h.score} for h in hits]
        if threshold is not None:
            found = [item for item in found if item["score"] >= threshold]
        return {"results": found}

    def get_all(
        self,
        *,
        filters: dict[str, Any] | None = None,
        top_k: int | None = None,
        limit: int | None = None,
        **scope_keys: Any,
    ) -> dict[str, list[dict[str, Any]]]:
        """A scope's memories, oldest first (at most ``top_k`` / ``limit``, default 100)."""
        scope, rest = _split_filters(filters, scope_keys)
        wanted = top_k or limit or 100
        page = self.engine.get_all(limit=min(wanted, 1000), filters=rest or None, **scope)
        return {"results": [self._item(m) for m in page][:wanted]}

    def get(self, memory_id: str) -> dict[str, Any] | None:
        """One memory, or ``None`` (as Mem0 answers an unknown id)."""
        try:
            return self._item(self.engine.get(memory_id))
        except NotFound:
            return None

    def history(self, memory_id: str) -> list[dict[str, Any]]:
        """Every change of a memory, oldest first, in Mem0's history rows."""
        try:
            events = self.engine.history(memory_id)
        except NotFound:
            return []
        rows = []
        for number, event in enumerate(events, start=1):
            rows.append(
                {
                    "id": f"{memory_id}:{number}",
                    "memory_id": memory_id,
                    "old_memory": (event.before or {}).get("text"),
                    "new_memory": (event.after or {}).get("text"),
                    "event": _EVENTS.get(event.kind, event.kind.value.upper()),
                    "created_at": event.at.isoformat(),
                    "updated_at": None,
                    "is_deleted": event.kind is EventKind.DELETE,
                    "actor_id": event.actor,
                    "role": (event.after or event.before or {}).get("role"),
                }
            )
        return rows

    def close(self) -> None:
        """Close the store."""
        self.engine.close()

    def _facts_of(self, turns: list[MemoryRecord]) -> list[MemoryRecord]:
        derived = self.engine.store.derived_ids([t.id for t in turns])
        found = self.engine.store.get_many(derived).values()
        return sorted((m for m in found if m.kind is MemoryKind.FACT), key=lambda m: m.id)

    def _item(self, memory: MemoryRecord) -> dict[str, Any]:
        """A memory in Mem0's item shape."""
        updated = None
        if memory.version > 1:  # when its last version was written
            updated = self.engine.history(memory.id)[-1].at.isoformat()
        item: dict[str, Any] = {
            "id": memory.id,
            "memory": memory.text,
            "hash": hashlib.md5(memory.text.encode()).hexdigest(),
            "created_at": memory.recorded_at.isoformat(),
            "updated_at": updated,
        }
        scope = memory.scope
        for key, value in (("user_id", scope.user_id), ("agent_id", scope.agent_id),
                           ("run_id", scope.session_id), ("role", memory.role),
                           ("actor_id", memory.speaker)):  # fmt: skip
            if value is not None:
                item[key] = value
        if memory.metadata:
            item["metadata"] = dict(memory.metadata)
        return item


def _scope(**keys: Any) -> dict[str, Any]:
    """Mem0's scope keys as engramdb's (``run_id`` is a session)."""
    unknown = set(keys) - set(_SCOPE_KEYS)
    if unknown:
        raise InvalidInput(f"unknown arguments {sorted(unknown)}")
    return {
        "user_id": keys.get("user_id"),
        "agent_id": keys.get("agent_id"),
        "session_id": keys.get("run_id"),
    }


def _split_filters(
    filters: dict[str, Any] | None, scope_keys: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The scope (from ``filters`` or top-level keys) and the metadata filter that is left."""
    given = dict(filters or {})
    keys = {k: given.pop(k) for k in _SCOPE_KEYS if k in given}
    keys.update({k: v for k, v in scope_keys.items() if v is not None})
    return _scope(**keys), given
