"""The persisted ANN index (usearch) beside the SQLite file.

The float32 blobs in the ``vectors`` table are the source of truth. The ANN index
is a cache of them keyed by ``memories.rid``: it is saved next to the database
with a small header describing which rows it holds, and rebuilt from the blobs
whenever that header does not match the table (missing file, crash before save,
another process wrote since).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np
from usearch.index import Index

__all__ = ["AnnIndex", "Fingerprint"]

log = logging.getLogger(__name__)

Fingerprint = tuple[int, int, int]  # (count, max rid, sum of rids) of the vectors table


#: batches of at least this many vectors are inserted in parallel
PARALLEL_ADD = 32


class AnnIndex:
    """An HNSW index over unit vectors with cosine distance."""

    def __init__(self, dimensions: int, path: Path | None) -> None:
        self.dimensions = dimensions
        self.path = path
        self._header = path.with_name(path.name + ".json") if path else None
        self._index = self._new()
        self.dirty = False

    def _new(self) -> Index:
        return Index(ndim=self.dimensions, metric="cos", dtype="f32", connectivity=16)

    def __len__(self) -> int:
        return len(self._index)

    def load(self, fingerprint: Fingerprint) -> bool:
        """Load the saved index if its header matches ``fingerprint``."""
        if not (self.path and self._header and self.path.exists() and self._header.exists()):
            return False
        try:
            header = json.loads(self._header.read_text())
            if tuple(header["fingerprint"]) != fingerprint or header["dim"] != self.dimensions:
                return False
            self._index.load(str(self.path))
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            log.warning("ANN index %s unreadable (%s); rebuilding", self.path, exc)
            self._index = self._new()
            return False
        return len(self._index) == fingerprint[0]

    def add(self, rids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under their row ids."""
        if len(rids):
            # a batch is inserted on every core; a thread pool for a handful costs more
            threads = 0 if len(rids) >= PARALLEL_ADD else 1
            self._index.add(rids.astype(np.uint64), vectors.astype(np.float32), threads=threads)
            self.dirty = True

    def remove(self, rids: list[int]) -> None:
        """Remove row ids (missing ones are ignored)."""
        for rid in rids:
            if self._index.contains(rid):
                self._index.remove(rid)
                self.dirty = True

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` nearest (rid, cosine similarity) pairs."""
        k = min(k, len(self._index))
        if k <= 0:
            return []
        matches = self._index.search(vector.astype(np.float32), k)
        return [
            (int(key), 1.0 - float(dist))
            for key, dist in zip(matches.keys, matches.distances, strict=True)
        ]

    def clear(self) -> None:
        """Drop every entry (before a rebuild)."""
        self._index = self._new()
        self.dirty = True

    def save(self, fingerprint: Fingerprint) -> None:
        """Persist atomically: index to a temp file, rename, then the header."""
        if not (self.path and self._header):
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        self._index.save(str(tmp))
        os.replace(tmp, self.path)
        header = {"fingerprint": list(fingerprint), "dim": self.dimensions}
        self._header.write_text(json.dumps(header))
        self.dirty = False

    def discard(self) -> None:
        """Empty the index and delete its files (they may hold vectors since deleted)."""
        self.clear()
        for path in (self.path, self._header):
            if path and path.exists():
                path.unlink()

    def invalidate(self) -> None:
        """Remove the saved header so a crash before the next save forces a rebuild."""
        if self._header and self._header.exists():
            self._header.unlink()


def exact_top_k(
    query: np.ndarray, rids: np.ndarray, matrix: np.ndarray, k: int
) -> list[tuple[int, float]]:
    """Exact cosine top-k over unit vectors."""
    if not len(rids):
        return []
    scores = matrix @ query
    k = min(k, len(rids))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(rids[i]), float(scores[i])) for i in top]
