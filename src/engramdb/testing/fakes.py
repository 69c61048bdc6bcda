"""Deterministic fakes: a hashing embedder and a clock you move by hand."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from engramdb.ports.embedder import Embedder

__all__ = ["FrozenClock", "HashEmbedder"]


class HashEmbedder(Embedder):
    """Bag-of-words feature hashing: texts sharing words get similar vectors.

    For fast unit tests only; it has no notion of meaning.
    """

    name = "hash"
    batch_size = 1024

    def __init__(self, dimensions: int = 64) -> None:
        self.dimensions = dimensions

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """One hashed bag-of-words vector per text."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dimensions] += 1.0
            if not out[row].any():
                out[row, 0] = 1.0
        return out


class FrozenClock:
    """A clock that stands still until :meth:`advance` or :meth:`set` moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2024, 1, 1, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware datetime")

    def now(self) -> datetime:
        """The frozen time."""
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move forward, e.g. ``advance(days=3)``; returns the new time."""
        self._now += timedelta(**delta)
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (timezone-aware)."""
        self._now = when
