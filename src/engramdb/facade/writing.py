"""The operations that change what is remembered: validate, then delegate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from engramdb.api import check_bounds
from engramdb.api.params import AgentId, Metadata, Progress, SessionId, Time, UserId
from engramdb.errors import InvalidInput
from engramdb.jobs import forgetting
from engramdb.jobs.consolidation import consolidate
from engramdb.model.jobs import Job
from engramdb.model.memory import MemoryKind, MemoryRecord, MemoryStatus
from engramdb.model.retention import FADED
from engramdb.model.validation import (
    add_items,
    check_id,
    check_text,
    check_time,
    naming_item,
    normalize_messages,
    normalize_metadata,
)
from engramdb.pipeline.idempotent import IdempotentAdd, Stored, add_once
from engramdb.pipeline.ingest import AddRequest, ingest, request_fingerprint, revise
from engramdb.pipeline.learn import Attempt, learn_from_attempt
from engramdb.pipeline.procedures import OUTCOMES, normalize_steps
from engramdb.types import UNSET, Unset

if TYPE_CHECKING:
    pass

from engramdb.facade.core import Core

__all__ = ["Writing"]


class Writing(Core):
    """Remembering, correcting and forgetting."""

    # ------------------------------------------------------------ writes
    def add(
        self,
        messages: Any,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        timestamp: Time | None = None,
        metadata: Metadata = None,
        importance: float | None = None,
        expires_at: Time | None = None,
        sync: bool = False,
        idempotency_key: str | None = None,
    ) -> list[MemoryRecord]:
        request = self._add_request(
            messages, user_id=user_id, agent_id=agent_id, session_id=session_id,
            timestamp=timestamp, metadata=metadata, importance=importance, expires_at=expires_at,
        )  # fmt: skip
        return self._ingest([request], sync, idempotency_key)[0]

    def add_batch(
        self,
        items: Iterable[Mapping[str, Any]],
        *,
        sync: bool = False,
        idempotency_key: str | None = None,
    ) -> list[list[MemoryRecord]]:
        requests = []
        for index, item in add_items(items):
            with naming_item(index):
                requests.append(self._add_request(**item))
        return self._ingest(requests, sync, idempotency_key) if requests else []

    def _add_request(
        self, messages: Any, *, importance: Any = None, timestamp: Any = None,
        expires_at: Any = None, metadata: Any = None, **scope: Any,
    ) -> AddRequest:  # fmt: skip
        check_bounds("add", importance=importance)
        return AddRequest(
            turns=normalize_messages(messages),
            scope=self._scope(**scope),
            timestamp=None if timestamp is None else check_time(timestamp),
            metadata=normalize_metadata(metadata),
            importance=0.5 if importance is None else float(importance),
            expires_at=None if expires_at is None else check_time(expires_at, "expires_at"),
        )

    def _ingest(self, requests: list[AddRequest], sync: bool, key: str | None) -> Stored:
        if key is None:
            return self._store_adds(requests, sync, None)
        fingerprint = request_fingerprint(requests)
        once = IdempotentAdd(
            self.store, self.tenant_id, check_id(key, "idempotency_key"), fingerprint,
            self.clock.now(),
        )  # fmt: skip
        return add_once(once, lambda recorder: self._store_adds(requests, sync, recorder))

    def _store_adds(
        self, requests: list[AddRequest], sync: bool, once: IdempotentAdd | None
    ) -> Stored:
        enhancer = self.enhancer
        queued: list[Job] = []

        def queue(stored: Stored) -> None:
            assert enhancer is not None
            queued[:] = enhancer.queue_extraction(stored)  # a retried transaction queues anew

        stored = ingest(
            self.store, self.embedder, self.clock, requests, actor=self.actor,
            analyzer=self.analyzer, on_stored=None if enhancer is None else queue,
            on_recorded=None if once is None else once.record,
        )  # fmt: skip
        if enhancer is not None:
            enhancer.after_write(queued, sync=sync)
        return stored

    def update(
        self,
        memory_id: str,
        *,
        text: str | Unset = UNSET,
        metadata: dict[str, Any] | Unset = UNSET,
    ) -> MemoryRecord:
        if isinstance(text, Unset) and isinstance(metadata, Unset):
            raise InvalidInput("give text and/or metadata to update")
        current = self.get(memory_id)
        new_text = current.text if isinstance(text, Unset) else check_text(text, "text")
        new_meta = current.metadata if isinstance(metadata, Unset) else normalize_metadata(metadata)
        revised = revise(
            self.store, self.embedder, current, new_text, new_meta, analyzer=self.analyzer,
            **self._now(),
        )  # fmt: skip
        reread = revised.kind is MemoryKind.EPISODE and new_text != current.text
        if self.enhancer is not None and reread:  # understood again: extract again
            self.enhancer.after_write(self.enhancer.queue_extraction([[revised]]), sync=False)
        return revised

    def delete(self, memory_id: str) -> list[str]:
        self.get(memory_id)
        return self.store.delete([memory_id], self.actor, self.clock.now())

    def delete_all(
        self, *, user_id: UserId = None, agent_id: AgentId = None, session_id: SessionId = None
    ) -> int:
        scope = self._scope(user_id, agent_id, session_id)
        return forgetting.delete_scope(self.store, scope, **self._now())

    def forget(
        self,
        memory_id: str | None = None,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
    ) -> int:
        scoped = any(key is not None for key in (user_id, agent_id, session_id))
        if (memory_id is None) == (not scoped):
            raise InvalidInput("give a memory id or a scope (user_id / agent_id / session_id)")
        if memory_id is not None:
            count = len(self.delete(memory_id))
        else:
            count = self.delete_all(user_id=user_id, agent_id=agent_id, session_id=session_id)
        self.store.compact()
        return count

    def feedback(self, memory_ids: Iterable[str], *, useful: bool = True) -> int:
        found = [self.get(memory_id) for memory_id in memory_ids]
        if useful:
            forgetting.reinforce(self.store, found, self.clock.now())
        return len(found) if useful else 0

    def archive(self, memory_id: str) -> MemoryRecord:
        return self._set_status(memory_id, MemoryStatus.ARCHIVED)

    def restore(self, memory_id: str) -> MemoryRecord:
        restored = self._set_status(memory_id, MemoryStatus.ACTIVE)
        forgetting.reinforce(self.store, [restored], self.clock.now())
        return self.get(memory_id)

    def _set_status(self, memory_id: str, status: MemoryStatus) -> MemoryRecord:
        self.get(memory_id)
        tenant = self._scope(required=False)
        forgetting.set_family_status(self.store, memory_id, status, within=tenant, **self._now())
        return self.get(memory_id)

    def fade(
        self,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        threshold: float = FADED,
    ) -> dict[str, int]:
        check_bounds("fade", threshold=threshold)
        scope = self._scope(user_id, agent_id, session_id)
        return forgetting.fade(self.store, scope, threshold=threshold, **self._now())

    def consolidate(
        self,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        progress: Progress = None,
    ) -> dict[str, int]:
        scope = self._scope(user_id, agent_id, session_id, required=False)
        enhancer = self.enhancer
        report = consolidate(
            self.store, scope, progress=progress, **self._now(),
            on_gists=None if enhancer is None else enhancer.queue_gists,
        )  # fmt: skip
        if enhancer is not None:
            enhancer.after_write([], sync=False)
        return {**report.as_dict(), **forgetting.fade(self.store, scope, **self._now())}

    def add_trajectory(
        self,
        task: str,
        steps: Sequence[str | Mapping[str, Any]],
        outcome: str,
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        session_id: SessionId = None,
        timestamp: Time | None = None,
        metadata: Metadata = None,
    ) -> MemoryRecord:
        check_text(task, "task")
        found = normalize_steps(steps)
        if outcome not in OUTCOMES:
            raise InvalidInput('outcome must be "success" or "failure"', field="outcome")
        scope = self._scope(user_id, agent_id, session_id)
        if scope.user_id is None and scope.agent_id is None:
            raise InvalidInput("a trajectory belongs to a user or an agent", field="scope")
        when = self.clock.now() if timestamp is None else check_time(timestamp)
        attempt = Attempt(task, found, outcome, scope, when, normalize_metadata(metadata))
        return learn_from_attempt(self.store, self.embedder, attempt, **self._now())
