"""Temporal contiguity: a hit pulls in its neighbouring turns, ranked just below it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engramdb.model.memory import MemoryRecord
from engramdb.model.query import Signal
from engramdb.retrieval.fusion import Fused

__all__ = ["expand_neighbours"]


def expand_neighbours(
    ranked: Sequence[Fused],
    memories: dict[str, MemoryRecord],
    neighbours_of: Callable[[MemoryRecord], list[MemoryRecord]],
    *,
    decay: float,
) -> list[Fused]:
    """Add each hit's session neighbours with a score of ``hit score * decay ** distance``.

    A neighbour that is already a hit keeps the higher of its scores; it gains a
    ``neighbour`` signal when the neighbourhood raised it. ``memories`` is extended
    with the neighbours fetched.

    Returns:
        All candidates by descending score.
    """
    merged = {f.id: Fused(f.id, f.score, list(f.signals)) for f in ranked}
    for hit in ranked:
        memory = memories.get(hit.id)
        if memory is None or memory.seq is None:
            continue
        for neighbour in neighbours_of(memory):
            memories.setdefault(neighbour.id, neighbour)
            distance = abs((neighbour.seq or 0) - memory.seq)
            score = hit.score * decay**distance
            entry = merged.setdefault(neighbour.id, Fused(neighbour.id, 0.0))
            if score > entry.score:  # only a neighbourhood that lifted it is a reason
                if not any(s.name == "neighbour" for s in entry.signals):
                    entry.signals.append(Signal("neighbour", distance, score, via=hit.id))
                entry.score = score
    return sorted(merged.values(), key=lambda f: -f.score)
