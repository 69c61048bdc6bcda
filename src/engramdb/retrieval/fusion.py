"""Rank fusion: pure functions over ``(id, score)`` lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from engramdb.model.query import Signal

__all__ = ["Fused", "rrf"]


@dataclass(slots=True)
class Fused:
    """A fused candidate: its score and the signals that contributed."""

    id: str
    score: float
    signals: list[Signal] = field(default_factory=list)


def rrf(
    ranked: Mapping[str, Sequence[tuple[str, float]]],
    *,
    k: int = 60,
    weights: Mapping[str, float] | None = None,
) -> list[Fused]:
    """Reciprocal rank fusion: ``score(d) = sum_s w_s / (k + rank_s(d))``.

    Args:
        ranked: signal name -> candidates best first, as ``(id, raw score)``.
        k: the RRF constant; larger values flatten the rank curve.
        weights: per-signal weight (default 1.0).

    Returns:
        Candidates by descending fused score; ties keep first-seen order.
    """
    fused: dict[str, Fused] = {}
    for name, candidates in ranked.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        for rank, (item_id, raw) in enumerate(candidates, start=1):
            entry = fused.setdefault(item_id, Fused(item_id, 0.0))
            entry.score += weight / (k + rank)
            entry.signals.append(Signal(name, rank, raw))
    return sorted(fused.values(), key=lambda f: -f.score)
