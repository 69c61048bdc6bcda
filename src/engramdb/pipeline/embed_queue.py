"""The texts of one ingest, embedded on a worker thread while its turns are parsed."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

import numpy as np

from engramdb.ports.embedder import Embedder

__all__ = ["EMBED_CHUNK", "EmbedQueue"]

#: texts the first call after the passages holds at least; each next one twice as many
EMBED_CHUNK = 64


class EmbedQueue:
    """Texts to embed, handed to a worker thread in long calls at fixed points.

    Texts that need no parse (passages) are handed over first, so the model works while
    the parser reads the turns on the calling thread; what the parse yields goes in
    calls of at least ``chunk`` texts, and each call holds at least twice as many as the
    one before: the model starts early, and the calls grow as long as the model stays
    busy. Long calls let the model sort many texts by length, so its batches waste
    little on padding: cutting one LongMemEval ingest into calls of about 80 texts cost
    a fifth more model time than one call.

    The points are fixed by the texts, never by timing: with int8 weights, a text's
    vector depends slightly on the texts batched with it (activations are quantized per
    batch), so the same ingest must make the same calls to give the same vectors.

    An embedder that is not ``threaded`` (a lookup, not a model) embeds everything
    in one call when the vectors are asked for.
    """

    def __init__(self, embedder: Embedder, *, chunk: int = EMBED_CHUNK) -> None:
        self._embedder = embedder
        self.chunk = chunk
        self._pending: list[str] = []
        self._queued: set[str] = set()
        self._calls: list[tuple[list[str], Future[np.ndarray]]] = []
        self._pool: ThreadPoolExecutor | None = None
        if embedder.threaded:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engramdb-embed")
            self._pool.submit(embedder.load)  # a first add loads both models at once

    def add(self, texts: Sequence[str]) -> None:
        """Queue ``texts`` not queued before; they go to the worker once ``chunk`` are pending."""
        fresh = [t for t in dict.fromkeys(texts) if t not in self._queued]
        self._queued.update(fresh)
        self._pending += fresh
        if len(self._pending) >= self.chunk:
            self.hand_over()

    def hand_over(self) -> None:
        """Give the worker what is pending now (an embedder that is not threaded waits)."""
        if not self._pending or self._pool is None:
            return
        texts, self._pending = self._pending, []
        self._calls.append((texts, self._pool.submit(self._embedder.embed_many, texts)))
        self.chunk = max(self.chunk, 2 * len(texts))  # the model is busy for longer now

    def vectors(self) -> dict[str, np.ndarray]:
        """Every queued text's vector, once the worker has embedded them all."""
        if self._pool is None:
            texts, self._pending = self._pending, []
            return dict(zip(texts, self._embedder.embed_many(texts), strict=True))
        self.hand_over()
        found: dict[str, np.ndarray] = {}
        for texts, call in self._calls:
            found.update(zip(texts, call.result(), strict=True))
        return found

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
