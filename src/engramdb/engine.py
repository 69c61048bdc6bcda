"""The ``Memory`` facade: validates input, wires components, delegates.

Business logic lives in :mod:`engramdb.pipeline`, :mod:`engramdb.retrieval` and the
stores; this module only checks arguments and connects the pieces.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from engramdb import portable
from engramdb.api import CONTEXT_BUDGET, check_bounds
from engramdb.enhancer import Enhancer
from engramdb.errors import (
    CapabilityMissing,
    ConfigError,
    EmbedderMismatch,
    IntegrityViolation,
    InvalidInput,
    NotFound,
)
from engramdb.keys import KeyRing
from engramdb.model.filters import And, Cond, parse_filter
from engramdb.model.graph import Entity, EntityPage
from engramdb.model.jobs import Job, JobStatus
from engramdb.model.memory import (
    EventKind,
    MemoryEvent,
    MemoryKind,
    MemoryRecord,
    MemoryStatus,
    Scope,
)
from engramdb.model.procedure import Procedure
from engramdb.model.query import Hit, Page
from engramdb.model.retention import FADED, reinforced, retention
from engramdb.pipeline.consolidate import consolidate
from engramdb.pipeline.idempotent import IdempotentAdd
from engramdb.pipeline.ingest import AddRequest, ingest, request_fingerprint, revise_episode
from engramdb.pipeline.learn import Attempt, learn_from_attempt, recall_procedures
from engramdb.pipeline.normalize import (
    check_id,
    check_text,
    check_time,
    normalize_messages,
    normalize_metadata,
    normalize_scope,
)
from engramdb.pipeline.procedures import OUTCOMES, normalize_steps
from engramdb.pipeline.understand.analyze import Analyzer
from engramdb.pipeline.understand.link import EntityLinker
from engramdb.pipeline.understand.profile import Profile, build_profile, profile_line
from engramdb.pipeline.understand.timex import find_times, mentions_time
from engramdb.ports.clock import Clock, SystemClock
from engramdb.ports.embedder import Embedder
from engramdb.ports.keys import KeyStore
from engramdb.ports.llm import ChatModel
from engramdb.ports.nlp import Parser
from engramdb.ports.store import GraphStore, MemoryStore
from engramdb.retrieval.context import Context, build_context
from engramdb.retrieval.focus import entities_in_query
from engramdb.retrieval.retriever import RetrievalSettings, Retriever
from engramdb.retrieval.text import query_terms
from engramdb.types import UNSET, Unset

if TYPE_CHECKING:
    from engramdb.answering import Answer
    from engramdb.pipeline.llm.runner import CallPolicy

__all__ = ["Memory"]

ProgressCallback = Callable[[int, int], None]


class Memory:
    """Long-term memory for agents. Open one with :meth:`Memory.open`.

    Args:
        store: the storage backend.
        embedder: the embedder used for every vector in ``store``.
        clock: where "now" comes from (inject a fake one in tests).
        retrieval: retriever knobs.
        actor: recorded as the author of every change made through this instance.
        parser: the NLP parser that understanding runs on; ``None`` stores turns
            verbatim only (no readings, facts or entities).
        llm: an optional chat model (e.g. :class:`~engramdb.providers.llm.OpenAICompatible`)
            that refines facts, judges conflicts, writes gists and answers questions.
        llm_policy: retries, backoff and cache of LLM calls.
        background: run LLM jobs on a worker thread (``False``: only on
            :meth:`run_jobs`, :meth:`retry` and ``add(..., sync=True)``).
    """

    def __init__(
        self,
        store: MemoryStore,
        embedder: Embedder,
        *,
        clock: Clock | None = None,
        retrieval: RetrievalSettings | None = None,
        actor: str = "engramdb",
        parser: Parser | None = None,
        llm: ChatModel | None = None,
        llm_policy: CallPolicy | None = None,
        background: bool = True,
    ) -> None:
        self.store = store
        self.analyzer = Analyzer(parser) if parser is not None else None
        self.embedder = embedder
        self.clock: Clock = clock or SystemClock()
        self.actor = actor
        self.retriever = Retriever(store, embedder, retrieval, find_times=_time_windows)
        self.tenant_id: str | None = None
        self._owns_store = True
        self.enhancer = (
            None
            if llm is None
            else Enhancer(
                store, embedder, llm, self.clock, actor, policy=llm_policy, background=background
            )
        )

    @classmethod
    def open(
        cls,
        location: str | Path = ":memory:",
        *,
        embedder: Embedder | None = None,
        clock: Clock | None = None,
        read_only: bool = False,
        reindex: bool = False,
        retrieval: RetrievalSettings | None = None,
        actor: str = "engramdb",
        understand: bool = True,
        parser: Parser | None = None,
        llm: ChatModel | None = None,
        llm_policy: CallPolicy | None = None,
        background: bool = True,
    ) -> Memory:
        """Open (or create) a store.

        Args:
            location: a SQLite file path, ``":memory:"`` for a throwaway store, or a
                ``postgresql://`` DSN (the ``postgres`` extra; a preview).
            embedder: defaults to the local all-MiniLM-L6-v2 model.
            clock: defaults to the system clock (UTC).
            read_only: open without taking the writer lock; writes fail.
            reindex: re-embed every memory if the store was made with another embedder.
            retrieval: retriever knobs.
            actor: author recorded on changes.
            understand: resolve pronouns and dates, extract facts and entities
                on every add (the default); ``False`` stores turns verbatim only.
            parser: the NLP parser; defaults to spaCy's small English model, or
                rules only (with a warning) when it is not installed.
            llm: an optional chat model (the ``llm`` extra); see :class:`Memory`.
            llm_policy: retries, backoff and cache of LLM calls.
            background: run LLM jobs on a worker thread.

        Raises:
            ConfigError: unsupported location.
            EmbedderMismatch: the store was embedded with another model (and not ``reindex``).
            StoreLocked: another process has the file open for writing.
        """
        location = str(location)
        postgres = location.startswith(("postgresql://", "postgres://"))
        if "://" in location and not postgres:
            raise ConfigError(
                f"unsupported location {location!r}: give a SQLite file path, ':memory:'"
                " or a postgresql:// DSN"
            )
        if embedder is None:
            from engramdb.providers.embedders.minilm import MiniLMEmbedder

            embedder = MiniLMEmbedder()
        from engramdb.backends.sqlite.store import SQLiteStore

        if read_only:  # understanding runs on writes only; do not load a model for reads
            understand = False
        if understand and parser is None:
            from engramdb.providers.nlp import default_parser

            parser = default_parser()
        store: MemoryStore
        if postgres:
            from engramdb.backends.postgres.store import PostgresStore

            store = PostgresStore(location, dimensions=embedder.dimensions)
        else:
            store = SQLiteStore(location, dimensions=embedder.dimensions, read_only=read_only)
        try:
            memory = cls(
                store,
                embedder,
                clock=clock,
                retrieval=retrieval,
                actor=actor,
                parser=parser if understand else None,
                llm=None if read_only else llm,
                llm_policy=llm_policy,
                background=background,
            )
        except BaseException:
            store.close()
            raise
        try:
            memory._check_embedder(reindex=reindex)
        except BaseException:
            memory.close()
            raise
        return memory

    def for_tenant(self, tenant_id: str) -> Memory:
        """A view of this store confined to one tenant: same methods, same store.

        Everything the view adds belongs to ``tenant_id``; every read, search,
        history, export and deletion sees that tenant's memories only (another
        tenant's memory is :class:`NotFound`). Closing the view leaves the store open.

        Raises:
            InvalidInput: bad tenant id.
        """
        view = copy.copy(self)
        view.tenant_id = check_id(tenant_id, "tenant_id")
        view._owns_store = False
        return view

    @property
    def keys(self) -> KeyRing:
        """The API keys kept in this store (for ``engramdb serve``).

        A tenant view's ring is confined to the tenant: it makes, lists, verifies and
        revokes that tenant's non-admin keys only.

        Raises:
            CapabilityMissing: the store cannot keep API keys.
        """
        if not isinstance(self.store, KeyStore):
            raise CapabilityMissing("this store cannot keep API keys")
        return KeyRing(self.store, self.clock, self.tenant_id)

    def _scope(
        self,
        user_id: Any = None,
        agent_id: Any = None,
        session_id: Any = None,
        *,
        required: bool = True,
    ) -> Scope:
        """A validated scope, confined to this view's tenant."""
        scope = normalize_scope(user_id, agent_id, session_id, required=required)
        return replace(scope, tenant_id=self.tenant_id)

    def _check_embedder(self, *, reindex: bool) -> None:
        stored = self.store.get_meta("embedder")
        if stored is None and not self._has_memories():
            if not self.store.read_only:
                self.store.set_meta("embedder", self.embedder.identity)
            return
        if stored != self.embedder.identity:
            if not reindex:
                raise EmbedderMismatch(stored or "unknown", self.embedder.identity)
            self.reindex()

    def _has_memories(self) -> bool:
        page = self.store.list_page(Scope(), None, limit=1, cursor=None, include_inactive=True)
        return bool(page.memories)

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
        sync: bool = False,
        idempotency_key: str | None = None,
    ) -> list[MemoryRecord]:
        """Remember messages verbatim, as episodes. Durable when it returns.

        With an LLM, an extraction job is queued in the same transaction and runs in
        the background (``sync=True``: before this returns); the LLM-free
        understanding has already indexed the turns either way.

        Args:
            messages: a list of ``{"role", "content", "name"?, "timestamp"?, "metadata"?}``
                dicts, or one string (a user message).
            user_id: scope: the user the memories belong to.
            agent_id: scope: the agent.
            session_id: scope: the session (run / conversation).
            timestamp: when the messages were said (timezone-aware); default now.
            metadata: free-form JSON data kept on every episode.
            importance: 0..1 (default 0.5); important memories fade more slowly.
            expires_at: a TTL: after this time the messages (and what is drawn from
                them) are no longer recalled, and :meth:`fade` deletes them.
            sync: with an LLM, run its extraction before returning.
            idempotency_key: a client-chosen key (kept 7 days): a retry with the same key
                returns the original episodes and stores nothing new.

        An exact repeat of a stored message (same scope, role, speaker, text, metadata and
        given timestamp) is not stored again: the stored episode is returned for it.

        Returns:
            The stored episodes, in order.

        Raises:
            InvalidInput: bad messages, scope, timestamp or metadata; nothing is stored.
            Conflict: ``idempotency_key`` was used for a different request.
        """
        request = self._add_request(
            messages, user_id, agent_id, session_id, timestamp, metadata, importance, expires_at
        )
        return self._ingest([request], sync=sync, idempotency_key=idempotency_key)[0]

    def add_batch(
        self,
        items: Iterable[Mapping[str, Any]],
        *,
        sync: bool = False,
        idempotency_key: str | None = None,
    ) -> list[list[MemoryRecord]]:
        """Several :meth:`add` calls in one: faster for bulk import, all or nothing.

        Args:
            items: dicts with the keyword arguments of :meth:`add`
                (``messages``, ``user_id``, ``agent_id``, ``session_id``, ``timestamp``,
                ``metadata``).
            sync: with an LLM, run the extraction of every item before returning.
            idempotency_key: as in :meth:`add`, for the whole batch.

        Returns:
            The stored episodes of each item.

        Raises:
            InvalidInput: any item is invalid (the message names it); nothing is stored.
        """
        requests = []
        for index, item in enumerate(items):
            if not isinstance(item, Mapping) or "messages" not in item:
                raise InvalidInput(f"items[{index}] must be a dict with messages", index=index)
            unknown = set(item) - _ADD_KEYS
            if unknown:
                raise InvalidInput(
                    f"items[{index}] has unknown keys {sorted(unknown)}", index=index
                )
            try:
                requests.append(
                    self._add_request(
                        item["messages"],
                        item.get("user_id"),
                        item.get("agent_id"),
                        item.get("session_id"),
                        item.get("timestamp"),
                        item.get("metadata"),
                        item.get("importance"),
                        item.get("expires_at"),
                    )
                )
            except InvalidInput as exc:
                raise InvalidInput(f"items[{index}]: {exc}", field=exc.field, index=index) from exc
        if not requests:
            return []
        return self._ingest(requests, sync=sync, idempotency_key=idempotency_key)

    def _add_request(
        self,
        messages: Any,
        user_id: Any,
        agent_id: Any,
        session_id: Any,
        timestamp: Any,
        metadata: Any,
        importance: Any = None,
        expires_at: Any = None,
    ) -> AddRequest:
        """Validate the arguments of one ``add``."""
        check_bounds("add", importance=importance)
        return AddRequest(
            turns=normalize_messages(messages),
            scope=self._scope(user_id, agent_id, session_id),
            timestamp=None if timestamp is None else check_time(timestamp),
            metadata=normalize_metadata(metadata),
            importance=0.5 if importance is None else float(importance),
            expires_at=None if expires_at is None else check_time(expires_at, "expires_at"),
        )

    def _ingest(
        self, requests: list[AddRequest], sync: bool = False, idempotency_key: str | None = None
    ) -> list[list[MemoryRecord]]:
        once = None
        if idempotency_key is not None:
            key = check_id(idempotency_key, "idempotency_key")
            fingerprint = request_fingerprint(requests)
            once = IdempotentAdd(self.store, self.tenant_id, key, fingerprint, self.clock.now())
            replayed = once.replay()
            if replayed is not None:
                return replayed
        try:
            return self._store_requests(requests, sync, once)
        except IntegrityViolation:
            # a concurrent retry recorded the key first: this one rolled back, and gets its result
            replayed = None if once is None else once.replay()
            if replayed is None:
                raise
            return replayed

    def _store_requests(
        self, requests: list[AddRequest], sync: bool, once: IdempotentAdd | None
    ) -> list[list[MemoryRecord]]:
        enhancer = self.enhancer
        queued: list[Job] = []

        def queue(stored: list[list[MemoryRecord]]) -> None:
            assert enhancer is not None
            queued[:] = enhancer.queue_extraction(stored)  # a retried transaction queues anew

        stored = ingest(
            self.store,
            self.embedder,
            self.clock,
            requests,
            actor=self.actor,
            analyzer=self.analyzer,
            on_stored=None if enhancer is None else queue,
            on_recorded=None if once is None else once.record,
        )
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
        """Write a new version of a memory; the previous one stays in :meth:`history`.

        A turn whose text changes is understood again (its old facts go); with an LLM,
        a new extraction job is queued for it.

        Args:
            memory_id: the memory to change.
            text: new text (re-embedded and re-indexed).
            metadata: new metadata, replacing the old.

        Raises:
            NotFound: no such memory.
            InvalidInput: nothing to change, or bad values.
        """
        if isinstance(text, Unset) and isinstance(metadata, Unset):
            raise InvalidInput("give text and/or metadata to update")
        current = self.get(memory_id)
        new_text = current.text if isinstance(text, Unset) else check_text(text, "text")
        new_meta = current.metadata if isinstance(metadata, Unset) else normalize_metadata(metadata)
        changed = replace(current, text=new_text, metadata=new_meta, version=current.version + 1)
        if new_text == current.text:
            self.store.replace(changed, None, self.actor, self.clock.now())
            return changed
        # the old reading and the facts drawn from the old text no longer hold
        revised = revise_episode(
            self.store,
            self.embedder,
            replace(changed, reading=None),
            now=self.clock.now(),
            actor=self.actor,
            analyzer=self.analyzer if current.kind is MemoryKind.EPISODE else None,
        )
        if self.enhancer is not None and current.kind is MemoryKind.EPISODE:
            self.enhancer.after_write(self.enhancer.queue_extraction([[revised]]), sync=False)
        return revised

    def delete(self, memory_id: str) -> list[str]:
        """Delete a memory and every memory derived from it; returns the deleted ids.

        The content is erased (also from earlier history events); a ``delete`` event
        without content remains.

        Raises:
            NotFound: no such memory.
        """
        self.get(memory_id)
        return self.store.delete([memory_id], self.actor, self.clock.now())

    def delete_all(
        self,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
    ) -> int:
        """Delete every memory in a scope (however many); returns how many were deleted.

        Raises:
            InvalidInput: no scope given (deleting everything needs an explicit scope).
        """
        scope = self._scope(user_id, agent_id, session_id)
        deleted = 0
        for batch in self.store.iter_ids(scope, 1000):
            deleted += len(self.store.delete(batch, self.actor, self.clock.now()))
        if deleted:
            self.store.purge_deleted_text()  # no word of the scope stays in the text index
        return deleted

    def forget(
        self,
        memory_id: str | None = None,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
    ) -> int:
        """Erase a memory, or a whole scope, for good; returns how many memories went.

        Like :meth:`delete` / :meth:`delete_all` (everything derived goes too, and
        a ``delete`` event without content remains), and then the store is
        compacted so that no trace of the content is left in its files: freed
        pages are zeroed, the text index is rewritten, the vector index rebuilt.

        Raises:
            NotFound: no such memory (in this tenant).
            InvalidInput: neither an id nor a scope, or both.
        """
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
        """Tell the store which recalled memories were used; returns how many were reinforced.

        A useful memory's strength grows and its forgetting clock restarts, so it
        ranks a little higher and fades later. ``useful=False`` changes nothing
        (an unused memory fades on its own).

        Raises:
            NotFound: an id that does not exist (in this tenant).
        """
        ids = list(memory_ids)
        found = [self.get(memory_id) for memory_id in ids]
        if not useful:
            return 0
        self._reinforce(found)
        return len(found)

    def _reinforce(self, memories: Iterable[MemoryRecord]) -> None:
        now = self.clock.now()
        used = [reinforced(m, now) for m in memories]
        if used and not self.store.read_only:
            self.store.set_usage(used)

    def archive(self, memory_id: str) -> MemoryRecord:
        """Archive a memory and what is drawn from it: kept, restorable, no longer recalled.

        Raises:
            NotFound: no such memory (in this tenant).
        """
        return self._set_status(memory_id, MemoryStatus.ARCHIVED, EventKind.ARCHIVE)

    def restore(self, memory_id: str) -> MemoryRecord:
        """Bring an archived memory (and what is drawn from it) back; its clock restarts.

        Raises:
            NotFound: no such memory (in this tenant).
        """
        restored = self._set_status(memory_id, MemoryStatus.ACTIVE, EventKind.RESTORE)
        self._reinforce([restored])
        return self.get(memory_id)

    def _set_status(self, memory_id: str, status: MemoryStatus, kind: EventKind) -> MemoryRecord:
        self.get(memory_id)
        family = self.store.with_derived([memory_id])  # what is drawn from it goes too
        tenant = self._scope(required=False)
        changing = [
            m.id
            for m in self.store.get_many(family).values()
            if m.status is not status and tenant.contains(m.scope)
        ]
        if changing:
            self.store.set_status(changing, status, kind, self.actor, self.clock.now())
        return self.get(memory_id)

    def fade(
        self,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        threshold: float = FADED,
    ) -> dict[str, int]:
        """Archive the memories of a scope that have faded, and delete the expired ones.

        A memory has faded when its retention ``exp(-days since last use / strength)``
        is below ``threshold``. Archived memories stay restorable; expired ones
        (past their ``expires_at``) are deleted like :meth:`delete`.

        Returns:
            ``{"archived": n, "expired": m}``.
        """
        scope = self._scope(user_id, agent_id, session_id)
        return self._fade(scope, threshold)

    def _fade(self, scope: Scope, threshold: float = FADED) -> dict[str, int]:
        check_bounds("fade", threshold=threshold)
        now = self.clock.now()
        faded: list[str] = []
        expired: list[str] = []
        for batch in self.store.iter_ids(scope, 1000):
            for memory in self.store.get_many(batch).values():
                if memory.expires_at is not None and memory.expires_at <= now:
                    expired.append(memory.id)
                elif memory.status is MemoryStatus.ACTIVE and retention(memory, now) < threshold:
                    faded.append(memory.id)
        if faded:
            self.store.set_status(faded, MemoryStatus.ARCHIVED, EventKind.ARCHIVE, self.actor, now)
        gone = self.store.delete(expired, self.actor, now) if expired else []
        return {"archived": len(faded), "expired": len(gone)}

    def consolidate(
        self,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> dict[str, int]:
        """Organise what is stored: episode and session gists, merged facts, fading.

        Each session's turns are cut into episodes at topic shifts and time gaps; each
        episode gets an extractive gist (a ``summary`` memory citing its turns, linked
        to earlier episodes that share its entities), and a session of several
        episodes a roll-up gist. Search uses gists to reach the turns they cover.
        Facts saying the same thing are merged into the earliest (union of sources;
        the duplicate archived with ``superseded_by``). Faded memories are archived,
        expired ones deleted (see :meth:`fade`).

        Idempotent and resumable: work is checkpointed per session, so a second run
        changes nothing and a run cut short continues where it stopped. With no
        scope, the whole store (this view's tenant) is consolidated.

        Returns:
            Counts: ``sessions``, ``rebuilt_sessions``, ``gists``, ``replaced_gists``,
            ``merged_facts``, ``archived``, ``expired``.
        """
        scope = self._scope(user_id, agent_id, session_id, required=False)
        enhancer = self.enhancer
        report = consolidate(
            self.store, scope, now=self.clock.now(), actor=self.actor, progress=progress,
            on_gists=None if enhancer is None else enhancer.queue_gists,
        )  # fmt: skip
        if enhancer is not None:
            enhancer.after_write([], sync=False)
        return {**report.as_dict(), **self._fade(scope)}

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
        """Remember an agent's attempt at a task, and learn the procedure for its kind of task.

        The attempt is stored verbatim (a ``trajectory`` memory). Attempts at tasks
        of the same kind are grouped into one ``procedure`` memory (derived from
        them): the steps that succeeded most often, the success rate, and the
        pitfalls of the failed attempts. See :meth:`procedures`.

        Args:
            task: what the agent was asked to do.
            steps: the actions taken, as strings or ``{"action", "error"?}`` dicts.
            outcome: ``"success"`` or ``"failure"``.
            user_id: scope (a user and / or an agent is required).
            agent_id: scope.
            session_id: scope.
            timestamp: when it happened (default now).
            metadata: free-form JSON data kept with the trajectory.

        Returns:
            The stored trajectory.

        Raises:
            InvalidInput: bad task, steps, outcome or scope; nothing is stored.
        """
        check_text(task, "task")
        found = normalize_steps(steps)
        if outcome not in OUTCOMES:
            raise InvalidInput('outcome must be "success" or "failure"', field="outcome")
        scope = self._scope(user_id, agent_id, session_id)
        if scope.user_id is None and scope.agent_id is None:
            raise InvalidInput("a trajectory belongs to a user or an agent", field="scope")
        when = self.clock.now() if timestamp is None else check_time(timestamp)
        extra = normalize_metadata(metadata)
        return learn_from_attempt(
            self.store, self.embedder, Attempt(task, found, outcome, scope, when, extra),
            now=self.clock.now(), actor=self.actor,
        )  # fmt: skip

    def procedures(
        self,
        task: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        k: int = 3,
    ) -> list[Procedure]:
        """The best-known procedures for a task, most alike first, with their pitfalls.

        Raises:
            InvalidInput: bad task, scope or ``k``.
        """
        check_text(task, "task")
        check_bounds("procedures", k=k)
        scope = self._scope(user_id, agent_id)
        return recall_procedures(self.store, self.embedder, task, scope, k)

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
        """Hybrid recall within a scope, best first, each hit explained.

        Args:
            query: what to recall.
            user_id: scope to search (at least one scope key is required).
            agent_id: scope to search.
            session_id: scope to search.
            k: maximum number of hits (1..1000).
            filters: metadata filter (see :mod:`engramdb.model.filters`).
            budget_tokens: stop before the hits' texts exceed this many tokens.
            as_of: recall what was true at this time (timezone-aware): facts
                superseded later are included, memories from after it are not.
                Relative times in the query ("last Saturday") are resolved
                against it; without it, against now (the clock).

        Raises:
            InvalidInput: bad query, scope, ``k``, budget, filter or ``as_of``.
        """
        check_text(query, "query")
        scope = self._scope(user_id, agent_id, session_id)
        check_bounds("search", k=k, budget_tokens=budget_tokens)
        flt = parse_filter(filters)
        at = None if as_of is None else check_time(as_of, "as_of")
        return self.retriever.search(
            query,
            scope,
            flt,
            k=k,
            budget_tokens=budget_tokens,
            as_of=at,
            now=self.clock.now(),
            retention_at=self.clock.now(),
        )

    def context(
        self,
        query: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        budget_tokens: int = CONTEXT_BUDGET,
        recent_turns: int = 3,
        as_of: datetime | str | None = None,
        reinforce: bool = True,
    ) -> Context:
        """A ready-to-prompt context for a task or question, within a token budget.

        Sections: what is known about the people the query names, relevant facts
        that are true now, relevant conversation by day, and the latest turns.
        Relevance comes from :meth:`search`; nothing appears twice, and every
        item names the turns it stands for (``Context.sources``).

        Args:
            query: the task or question.
            user_id: scope (at least one scope key is required).
            agent_id: scope.
            session_id: scope.
            budget_tokens: the text never has more tokens than this (50..100,000).
            recent_turns: how many of the latest turns to include (0..50).
            as_of: build the context as it would have been at this time.
            reinforce: count the relevant memories it holds as used (they fade
                more slowly); ``False`` for a look that changes nothing.

        Raises:
            InvalidInput: bad query, scope, budget or time.
        """
        check_bounds("context", budget_tokens=budget_tokens, recent_turns=recent_turns)
        hits = self.search(
            query, user_id=user_id, agent_id=agent_id, session_id=session_id, k=100, as_of=as_of
        )
        scope = self._scope(user_id, agent_id, session_id)
        recent = self.store.recent_episodes(scope, recent_turns) if recent_turns else []
        if as_of is not None:  # what had not happened yet is not recent
            at = check_time(as_of, "as_of")
            recent = [m for m in recent if m.occurred_at <= at]
        people = self._people_in(query, scope)
        names = {word for p in people for word in p.name.lower().split()}
        built = build_context(
            query,
            hits,
            budget_tokens=budget_tokens,
            profiles=self._profile_lines(people),
            recent=recent,
            terms=[t for t in query_terms(query) if t not in names],
        )
        if reinforce:  # what goes into a prompt is used: it fades more slowly
            self._reinforce(i.memory for i in (*built.facts, *built.episodes))
        return built

    # ------------------------------------------------------------ the LLM layer
    def answer(
        self,
        question: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        budget_tokens: int = CONTEXT_BUDGET,
        as_of: datetime | str | None = None,
    ) -> Answer:
        """Answer a question from memory, with citations (needs an LLM).

        The context is built as by :meth:`context`; the model answers from it and
        cites the memories it used (``Answer.citations``; ``Answer.sources`` are the
        turns they stand for).

        Raises:
            CapabilityMissing: no LLM configured.
            InvalidInput: bad question, scope, budget or time.
            LLMError: the model failed after the call policy's retries.
        """
        enhancer = self._llm("answer")
        built = self.context(
            question, user_id=user_id, agent_id=agent_id, session_id=session_id,
            budget_tokens=budget_tokens, as_of=as_of,
        )  # fmt: skip
        return enhancer.answer(built)

    def usage(self) -> dict[str, dict[str, Any]]:
        """LLM usage per operation since the store was opened (empty without an LLM).

        For each operation: calls, cache hits, retries, failures, tokens, cost and
        latency p50 / p95.
        """
        return {} if self.enhancer is None else self.enhancer.usage()

    def jobs(self, *, status: str | None = None, limit: int = 100) -> list[Job]:
        """This tenant's background LLM jobs, oldest first (``status``: pending, done, failed).

        Raises:
            CapabilityMissing: no LLM configured.
            InvalidInput: unknown status or bad limit.
        """
        enhancer = self._llm("jobs")
        check_bounds("jobs", limit=limit)
        return enhancer.list_jobs(_job_status(status), self.tenant_id, limit)

    def retry(self, job_ids: Sequence[str] | None = None) -> dict[str, int]:
        """Run failed LLM jobs again (those named, or all of this tenant's), then the pending.

        Returns ``requeued``, ``done`` and ``failed`` counts.

        Raises:
            CapabilityMissing: no LLM configured.
        """
        enhancer = self._llm("retry")
        ids = None if job_ids is None else [check_id(i, "job_id") for i in job_ids]
        return enhancer.retry(ids, self.tenant_id)

    def run_jobs(self) -> dict[str, int]:
        """Run every pending LLM job now (the worker thread does this in the background).

        Raises:
            CapabilityMissing: no LLM configured.
        """
        return self._llm("run_jobs").run_jobs()

    def _llm(self, operation: str) -> Enhancer:
        if self.enhancer is None:
            raise CapabilityMissing(
                f"{operation} needs an LLM: Memory.open(..., llm=OpenAICompatible(...))",
                extra="llm",
            )
        return self.enhancer

    def _people_in(self, query: str, scope: Scope) -> list[Entity]:
        if not isinstance(self.store, GraphStore):
            return []
        known = self.store.entities(replace(scope, session_id=None))
        return [e for e in entities_in_query(query, known) if e.kind == "person"]

    def _profile_lines(self, people: list[Entity]) -> list[str]:
        """One line per person, from what is known about them now."""
        graph = self._graph()
        profiles = [
            build_profile(p, graph.relations(p.scope, entity_ids=[p.id], current_only=True))
            for p in people
        ]
        return [line for line in map(profile_line, profiles) if line]

    def get(
        self,
        memory_id: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
    ) -> MemoryRecord:
        """One memory by id; with a scope, a memory outside it is :class:`NotFound`.

        Raises:
            NotFound: no such memory (in that scope).
        """
        if not isinstance(memory_id, str) or not memory_id:
            raise InvalidInput("memory_id must be a non-empty string", field="memory_id")
        scope = self._scope(user_id, agent_id, session_id, required=False)
        found = self.store.get_many([memory_id]).get(memory_id)
        if found is None or not scope.contains(found.scope):
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
        """List memories of a scope in insertion order, one page at a time.

        Args:
            user_id: scope (at least one scope key is required).
            agent_id: scope.
            session_id: scope.
            filters: metadata filter.
            limit: page size (1..1000).
            cursor: ``next_cursor`` of the previous page.
            include_inactive: also list superseded and archived memories.
            include_superseded: also list superseded memories (facts that are
                no longer true), but not archived ones.
        """
        scope = self._scope(user_id, agent_id, session_id)
        check_bounds("get_all", limit=limit)
        flt = parse_filter(filters)
        if include_superseded and not include_inactive:
            not_archived = Cond("status", "ne", MemoryStatus.ARCHIVED.value, column=True)
            flt = not_archived if flt is None else And((flt, not_archived))
            include_inactive = True
        return self.store.list_page(
            scope, flt, limit=limit, cursor=cursor, include_inactive=include_inactive
        )

    def entities(self, *, user_id: str | None = None, agent_id: str | None = None) -> list[Entity]:
        """The people, places, organisations, pets, events and works of a user / agent."""
        return self._graph().entities(self._scope(user_id, agent_id))

    def entity(
        self, name_or_id: str, *, user_id: str | None = None, agent_id: str | None = None
    ) -> EntityPage:
        """An entity's page: its mentions (with source turns), facts and relations.

        Args:
            name_or_id: the entity id, its name, an alias or (for a person) a nickname.
            user_id: the user whose entities to look in.
            agent_id: the agent whose entities to look in.

        Raises:
            NotFound: no such entity in that scope.
        """
        graph = self._graph()
        entity = self._find_entity(name_or_id, self._scope(user_id, agent_id))
        mentioned = graph.mentions(entity_ids=[entity.id])
        memories = self.store.get_many([m.memory_id for m in mentioned])
        ordered = sorted(
            (m for m in memories.values() if m.scope.tenant_id == entity.scope.tenant_id),
            key=lambda m: (m.occurred_at, m.id),
        )
        facts = tuple(m for m in ordered if m.kind is MemoryKind.FACT)
        relations = graph.relations(entity.scope, entity_ids=[entity.id])
        return EntityPage(entity, tuple(ordered), facts, tuple(relations))

    def profile(
        self, person: str, *, user_id: str | None = None, agent_id: str | None = None
    ) -> Profile:
        """What is known now about a person, slot by slot (name, age, home, job, ...).

        Raises:
            NotFound: no such person in that scope.
        """
        scope = self._scope(user_id, agent_id)
        entity = self._find_entity(person, scope)
        current = self._graph().relations(entity.scope, entity_ids=[entity.id], current_only=True)
        return build_profile(entity, current)

    def _graph(self) -> GraphStore:
        if not isinstance(self.store, GraphStore):
            raise CapabilityMissing("this store has no entity graph")
        return self.store

    def _find_entity(self, name_or_id: str, scope: Scope) -> Entity:
        check_text(name_or_id, "name")
        known = self._graph().entities(scope)
        found = next((e for e in known if e.id == name_or_id), None)
        found = found or EntityLinker(known).find(name_or_id)
        if found is None:
            raise NotFound(name_or_id, "entity")
        return found

    def history(self, memory_id: str) -> list[MemoryEvent]:
        """Every change of a memory (add, update, delete, ...), oldest first.

        Works after deletion too (the events then carry no content).

        Raises:
            NotFound: no memory with that id ever existed.
        """
        scope = self._scope(required=False)
        found = self.store.events(memory_id) if isinstance(memory_id, str) else []
        events = [e for e in found if scope.contains(e.scope)]
        if not events:
            raise NotFound(str(memory_id))
        return events

    def ping(self) -> None:
        """Check that the store answers (for readiness probes).

        Raises:
            StorageError: the store cannot be read.
        """
        self.store.get_meta("embedder")

    def load_models(self) -> None:
        """Load the embedder and the parser now instead of on first use.

        Both load lazily, so that commands which embed and parse nothing start fast;
        a long-running server calls this once at start-up.
        """
        self.embedder.load()
        if self.analyzer is not None:
            self.analyzer.parser.load()

    def stats(self) -> dict[str, Any]:
        """Counts and sizes of the store, and the embedder in use."""
        return {**self.store.stats(), "embedder": self.embedder.identity}

    # ------------------------------------------------------ maintenance
    def export(self, target: str | Path | IO[str]) -> int:
        """Write the whole store (a tenant view: the tenant's data) as versioned JSONL.

        Memories of every status with their vectors, their events and the entity graph.

        Returns:
            The number of memories written.
        """
        scope = self._scope(required=False)
        return portable.export_store(self.store, self.embedder.identity, target, scope)

    def import_(self, source: str | Path | IO[str]) -> int:
        """Load an export into this store, ids, times, vectors and history intact.

        A tenant view moves every imported record into its tenant.

        Raises:
            InvalidInput: not an engramdb export, or an unsupported version.
            Conflict: a memory id already exists here; nothing is imported.
        """
        return portable.import_store(self.store, self.embedder, source, self.tenant_id)

    def reindex(self, progress: ProgressCallback | None = None) -> int:
        """Re-embed every memory with the current embedder; returns how many."""
        count = portable.reembed(self.store, self.embedder, progress)
        self.store.set_meta("embedder", self.embedder.identity)
        return count

    def close(self) -> None:
        """Flush indexes and release the store (a tenant view leaves it open).

        A background LLM job in progress finishes first; pending jobs stay queued.
        """
        if self._owns_store:
            if self.enhancer is not None:
                self.enhancer.close()
            self.store.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_ADD_KEYS = frozenset(
    {
        "messages", "user_id", "agent_id", "session_id", "timestamp", "metadata", "importance",
        "expires_at",
    }
)  # fmt: skip


def _job_status(status: str | None) -> JobStatus | None:
    if status is None:
        return None
    try:
        return JobStatus(status)
    except ValueError:
        raise InvalidInput(
            f"status must be one of {', '.join(s.value for s in JobStatus)}", field="status"
        ) from None


def _time_windows(
    query: str, reference: Callable[[], datetime | None]
) -> list[tuple[datetime, datetime]]:
    """The intervals a query's time expressions refer to (for the retriever).

    The reference time is looked up only when the query has a time expression.
    """
    if not mentions_time(query):
        return []
    at = reference()
    return [] if at is None else [(span.start, span.end) for span in find_times(query, at)]
