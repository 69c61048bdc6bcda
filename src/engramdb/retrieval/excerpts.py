"""A long turn is found through its passages, and shown by the one that answers.

Passages (see :mod:`engramdb.pipeline.passages`) are indexed beside their turn, but
they are not evidence of their own: several passages of one long answer competing
with the turns would crowd them out. Right after fusion each passage is folded into
its turn: the turn scores at least the passage's score times a weight, and the best
passage becomes the turn's excerpt, what a hit shows and what it costs in tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from engramdb.model.memory import MemoryKind
from engramdb.model.query import Signal
from engramdb.retrieval.fusion import Fused
from engramdb.retrieval.parts import Search

__all__ = ["Excerpts"]


@dataclass(frozen=True, slots=True)
class Excerpts:
    """Fold each passage candidate into its turn; its best passage is its excerpt.

    Attributes:
        weight: a turn scores at least its best passage's score times this (and
            takes the passage's reasons when that lifts it); its ``why`` gains a
            ``passage`` signal naming the passage shown.
    """

    weight: float = 0.3

    def apply(self, search: Search, fused: list[Fused]) -> list[Fused]:
        """The candidates without passages, their turns lifted; fills ``search.excerpts``."""
        if search.direct:  # a caller asking for a kind gets passages as they are
            return fused
        memories = search.memories
        best: dict[str, Fused] = {}  # turn id -> its best passage
        kept = []
        for entry in fused:
            memory = memories.get(entry.id)
            if memory is None or memory.kind is not MemoryKind.PASSAGE or not memory.sources:
                kept.append(entry)
            elif (turn := memory.sources[0]) not in best or entry.score > best[turn].score:
                best[turn] = entry
        search.fetch(list(best))  # turns found only through a passage
        by_id = {f.id: f for f in kept}
        for turn, passage in best.items():
            if turn not in memories:
                continue
            search.excerpts[turn] = passage.id
            if turn not in by_id:
                by_id[turn] = Fused(turn, 0.0, [])
                kept.append(by_id[turn])
            entry = by_id[turn]
            if (lifted := self.weight * passage.score) > entry.score:
                entry.score = lifted
                entry.signals += passage.signals
            entry.signals.append(Signal("passage", 1, passage.score, via=passage.id))
        kept.sort(key=lambda f: -f.score)  # the next steps open the best first
        return kept
