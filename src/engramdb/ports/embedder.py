"""The embedder port: implement ``embed_batch``, inherit batching and validation."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

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

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        """Embed any number of texts in batches of :attr:`batch_size`.

        Texts are batched in order of length (and returned in the original order),
        so that padding wastes little work.

        Returns:
            A float32 array of L2-normalised rows, one per text.

        Raises:
            EmbeddingError: the model returned the wrong shape or non-finite values.
        """
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
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
