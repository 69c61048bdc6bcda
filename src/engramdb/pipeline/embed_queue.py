"""The texts of one ingest, embedded on a worker thread while its turns are parsed."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any

import numpy as np

from engramdb.ports.embedder import Embedder

__all__ = ["EmbedQueue"]


class EmbedQueue:
    """Texts to embed, handed to the worker thread whenever it is free.

    The worker takes everything pending at once. Texts that need no parse (passages)
    go first, so the model works while the parser reads the turns on the calling
    thread; what the parse yields waits for the model to be free and is then embedded
    in one call. Long calls let the model sort many texts by length, so its batches
    waste little on padding: cutting one LongMemEval ingest into calls of about 80
    texts cost a fifth more model time than one call.

    An embedder that is not ``threaded`` (a lookup, not a model) embeds everything
    in one call when the vectors are asked for.
    """

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._pending: list[str] = []
        self._calls: list[tuple[list[str], Future[np.ndarray]]] = []
        self._pool: ThreadPoolExecutor | None = None
        self._busy: Future[Any] | None = None
        if embedder.threaded:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engramdb-embed")
            self._pool.submit(embedder.load)  # a first add loads both models at once

    def add(self, texts: Sequence[str]) -> None:
        """Queue ``texts``; they go to the worker now if it has nothing to do."""
        self._pending += texts
        if self._pool is not None and (self._busy is None or self._busy.done()):
            self._hand_over()

    def vectors(self) -> dict[str, np.ndarray]:
        """Every queued text's vector, once the worker has embedded them all."""
        if self._pool is None:
            texts, self._pending = self._pending, []
            return dict(zip(texts, self._embedder.embed_many(texts), strict=True))
        self._hand_over()
        found: dict[str, np.ndarray] = {}
        for texts, call in self._calls:
            found.update(zip(texts, call.result(), strict=True))
        return found

    def _hand_over(self) -> None:
        if not self._pending:
            return
        assert self._pool is not None
        texts, self._pending = self._pending, []
        call = self._pool.submit(self._embedder.embed_many, texts)
        self._calls.append((texts, call))
        self._busy = call

    def __enter__(self) -> EmbedQueue:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
