"""The embedder port: implement ``embed_batch``, inherit batching and validation."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext

import numpy as np

from engramdb.errors import EmbeddingError
from engramdb.types import Vector

__all__ = ["Embedder"]


class Embedder(ABC):
    """Turns texts into unit-length float32 vectors.

    Subclasses set :attr:`name` and :attr:`dimensions` and implement
    :meth:`embed_batch`. The identity ``f"{name}:{dimensions}"`` is recorded in a
    store so that vectors from different models are never mixed.
    """

    name: str = "embedder"
    dimensions: int = 0
    batch_size: int = 64
    cache_size: int = 8192  # distinct recent texts whose vectors are kept (about 12 MB at 384-d)
    #: whether bulk ingest embeds on a worker thread beside parsing: it pays for a model
    #: that releases the GIL while it computes, not for one that is a lookup and a sum
    threaded: bool = True

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed one batch; returns an array of shape ``(len(texts), dimensions)``."""

    @property
    def identity(self) -> str:
        """Recorded in the store; a different identity means incompatible vectors."""
        return f"{self.name}:{self.dimensions}"

    def embed(self, text: str) -> Vector:
        """Embed one text."""
        vector: Vector = self.embed_many([text])[0]
        return vector

    def load(self) -> None:  # noqa: B027 (optional: remote embedders have nothing to load)
        """Load the model now (local embedders load on their first embedding)."""

    def sharing_cores(self) -> AbstractContextManager[None]:
        """While inside, another thread of the caller keeps one core busy (the parser).

        A local model then computes on one core fewer, so that the two do not take turns
        on the same core; nothing changes for a remote embedder.
        """
        return nullcontext()

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        """Embed any number of texts; each distinct text not embedded lately, once.

        Repeated texts (filler such as "Thanks!", a turn stored twice) are embedded
        once: a bounded cache keeps the vectors of the last :attr:`cache_size`
        distinct texts. The rest go to the model in batches of :attr:`batch_size`,
        in order of length, so that padding wastes little work.

        Returns:
            A float32 array of L2-normalised rows, one per text, in order.

        Raises:
            EmbeddingError: the model returned the wrong shape or non-finite values.
        """
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        cache = self._recent()
        known = cache.get_many(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = self._embed_distinct(missing)
            known.update(zip(missing, fresh, strict=True))
            cache.put_many(missing, fresh)
        return np.stack([known[t] for t in texts])

    def _recent(self) -> VectorCache:
        cache: VectorCache | None = self.__dict__.get("_vector_cache")
        if cache is None:  # subclasses need not call a base __init__
            cache = VectorCache(self.cache_size)
            self.__dict__["_vector_cache"] = cache
        return cache

    def _embed_distinct(self, texts: Sequence[str]) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        parts = [
            self.embed_batch([texts[i] for i in order[start : start + self.batch_size]])
            for start in range(0, len(texts), self.batch_size)
        ]
        vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        stacked = np.asarray(np.vstack(parts), dtype=np.float32)
        if stacked.shape != (len(texts), self.dimensions):
            raise EmbeddingError(
                f"{self.name} returned shape {stacked.shape}, "
                f"expected {(len(texts), self.dimensions)}"
            )
        vectors[order] = stacked
        if not np.isfinite(vectors).all():
            raise EmbeddingError(f"{self.name} returned non-finite values")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: np.ndarray = vectors / np.maximum(norms, 1e-12)
        return normalised


class VectorCache:
    """The vectors of the most recently embedded distinct texts (thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        found = {}
        with self._lock:
            for text in texts:
                vector = self._vectors.get(text)
                if vector is not None:
                    self._vectors.move_to_end(text)
                    found[text] = vector
        return found

    def put_many(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        keep = max(len(texts) - self.size, 0)  # older ones would be evicted at once
        with self._lock:
            for text, vector in zip(texts[keep:], vectors[keep:], strict=True):
                self._vectors[text] = vector.copy()  # a view would keep the whole batch alive
                self._vectors.move_to_end(text)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
