"""Temporal contiguity: a hit pulls in its neighbouring turns, ranked just below it.

Turns come in adjacency pairs: a question is answered by the turn after it, so a
hit that asks something lends the next turn most of its score; any other
neighbour is only context and gets less.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engramdb.model.memory import MemoryRecord
from engramdb.model.query import Signal
from engramdb.retrieval.fusion import Fused

__all__ = ["expand_neighbours", "is_question"]


def is_question(memory: MemoryRecord) -> bool:
    """Whether the turn asks something (its answer is the turn after it)."""
    return "?" in memory.text


def expand_neighbours(
    ranked: Sequence[Fused],
    memories: dict[str, MemoryRecord],
    neighbours_of: Callable[[MemoryRecord], list[MemoryRecord]],
    *,
    decay: float,
    context_decay: float | None = None,
    others: Sequence[Fused] = (),
) -> list[Fused]:
    """Add each hit's session neighbours, scored ``hit score * decay ** distance``.

    ``decay`` applies to the turns after a hit that asks a question (its answer);
    ``context_decay`` (default: ``decay``) to every other neighbour. A neighbour
    that is already a candidate (among ``ranked``, or among ``others``: candidates
    that pull in no neighbours of their own) keeps the higher of its scores and its
    reasons; it gains a ``neighbour`` signal when the neighbourhood raised it.
    ``memories`` is extended with the neighbours fetched.

    Returns:
        All candidates (``ranked``, ``others`` and the neighbours) by descending score.
    """
    other = decay if context_decay is None else context_decay
    merged = {f.id: Fused(f.id, f.score, list(f.signals)) for f in [*ranked, *others]}
    for hit in ranked:
        memory = memories.get(hit.id)
        if memory is None or memory.seq is None:
            continue
        asks = is_question(memory)
        for neighbour in neighbours_of(memory):
            memories.setdefault(neighbour.id, neighbour)
            offset = (neighbour.seq or 0) - memory.seq
            answers = asks and offset > 0
            score = hit.score * (decay if answers else other) ** abs(offset)
            entry = merged.setdefault(neighbour.id, Fused(neighbour.id, 0.0))
            if score > entry.score:  # only a neighbourhood that lifted it is a reason
                if not any(s.name == "neighbour" for s in entry.signals):
                    entry.signals.append(Signal("neighbour", abs(offset), score, via=hit.id))
                entry.score = score
    return sorted(merged.values(), key=lambda f: -f.score)
