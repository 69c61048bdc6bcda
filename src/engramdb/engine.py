"""The ``Memory`` facade: opens and wires the components; its parts validate and delegate.

Each operation is declared, with its documentation, in :mod:`engramdb.api`, and
implemented by a part of the facade (:mod:`engramdb.facade`): its arguments are checked
there and the work is done in :mod:`engramdb.pipeline` (ingest, understanding),
:mod:`engramdb.retrieval` (search, context), :mod:`engramdb.jobs` (consolidation,
forgetting), :mod:`engramdb.graph` (entity pages, profiles) and the stores.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from engramdb import portable, registry, wiring
from engramdb.api.params import Progress
from engramdb.enhancer import Enhancer
from engramdb.errors import CapabilityMissing, EmbedderMismatch
from engramdb.facade.reading import Reading
from engramdb.facade.writing import Writing
from engramdb.keys import KeyRing
from engramdb.model.memory import Scope
from engramdb.model.validation import check_id
from engramdb.pipeline.understand.analyze import Analyzer
from engramdb.ports.clock import Clock, SystemClock
from engramdb.ports.embedder import Embedder
from engramdb.ports.keys import KeyStore
from engramdb.ports.llm import ChatModel
from engramdb.ports.nlp import Parser
from engramdb.ports.store import MemoryStore
from engramdb.retrieval.retriever import RetrievalSettings, Retriever

if TYPE_CHECKING:
    from engramdb.pipeline.llm.runner import CallPolicy

__all__ = ["Memory"]


class Memory(Writing, Reading):
    """Long-term memory for agents. Open one with :meth:`Memory.open`.

    The operations are documented where they are declared, in :class:`engramdb.api.MemoryAPI`
    (``help(Memory.add)`` shows it).

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
        self.retriever = Retriever(store, embedder, retrieval, find_times=wiring.time_windows)
        self.tenant_id: str | None = None
        self._owns_store = True
        self.enhancer = None
        if llm is not None:
            self.enhancer = Enhancer(
                store, embedder, llm, self.clock, actor, policy=llm_policy, background=background
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
            location: a SQLite file path, ``":memory:"`` for a throwaway store, or the URL
                of an installed backend, e.g. a ``postgresql://`` DSN (the ``postgres``
                extra); see :mod:`engramdb.registry`.
            embedder: defaults to the local all-MiniLM-L6-v2 model (int8), or the float
                model when the store was made with it.
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
        chosen = embedder or wiring.default_embedder()
        parser = wiring.parser_for(understand=understand, read_only=read_only, parser=parser)
        store = registry.open_store(
            str(location), dimensions=chosen.dimensions, read_only=read_only
        )
        if embedder is None:  # the store's own local model, if it records the other one
            with _closed_on_error(store):
                chosen = wiring.default_embedder(store.get_meta("embedder"))
        embedder = chosen
        with _closed_on_error(store):
            memory = cls(
                store, embedder, clock=clock, retrieval=retrieval, actor=actor, parser=parser,
                llm=None if read_only else llm, llm_policy=llm_policy, background=background,
            )  # fmt: skip
        with _closed_on_error(memory):
            memory._check_embedder(reindex=reindex)
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

    def _check_embedder(self, *, reindex: bool) -> None:
        stored = self.store.get_meta("embedder")
        if stored is None and not self._has_memories():
            if not self.store.read_only:
                self.store.set_meta("embedder", self.embedder.identity)
        elif stored != self.embedder.identity:
            if not reindex:
                raise EmbedderMismatch(stored or "unknown", self.embedder.identity)
            self.reindex()

    def _has_memories(self) -> bool:
        page = self.store.list_page(Scope(), None, limit=1, cursor=None, include_inactive=True)
        return bool(page.memories)

    # ------------------------------------------------------ maintenance
    def ping(self) -> None:
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

    def export(self, target: str | Path | IO[str]) -> int:
        scope = self._scope(required=False)
        return portable.export_store(self.store, self.embedder.identity, target, scope)

    def import_(self, source: str | Path | IO[str]) -> int:
        return portable.import_store(self.store, self.embedder, source, self.tenant_id)

    def reindex(self, progress: Progress = None) -> int:
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


@contextmanager
def _closed_on_error(opened: MemoryStore | Memory) -> Iterator[None]:
    """Close what was opened when the code that sets it up fails."""
    try:
        yield
    except BaseException:
        opened.close()
        raise
