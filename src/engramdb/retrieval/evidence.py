"""Evidence pooling: memories that stand for the same turns support each other."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engramdb.model.memory import MemoryKind, MemoryRecord
from engramdb.model.query import Signal
from engramdb.retrieval.fusion import Fused

__all__ = ["evidence_of", "pool_support"]


def evidence_of(memory: MemoryRecord) -> tuple[str, ...]:
    """The turns a memory stands for: a turn itself, else the turns it was drawn from."""
    if memory.kind is MemoryKind.EPISODE or not memory.sources:
        return (memory.id,)
    return tuple(sorted(memory.sources))


def pool_support(
    fused: Sequence[Fused], memories: Mapping[str, MemoryRecord], weight: float
) -> None:
    """Add to the best candidate of each evidence unit ``weight`` times the others' scores.

    A turn found by the lexical list and a fact drawn from it found by the dense
    list are two findings of one piece of evidence; only the best of them is
    shown (the others repeat its turns), so it carries their support, named by
    a ``support`` signal (its rank is how many others there were).
    """
    units: dict[tuple[str, ...], list[Fused]] = {}
    for entry in fused:
        memory = memories.get(entry.id)
        if memory is not None:
            units.setdefault(evidence_of(memory), []).append(entry)
    for entries in units.values():
        if len(entries) < 2:
            continue
        best, *others = sorted(entries, key=lambda f: -f.score)
        added = weight * sum(f.score for f in others)
        best.score += added
        best.signals.append(Signal("support", len(others), added, via=others[0].id))
