"""Retrieval results and the reasons behind them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from engramdb.model.memory import MemoryRecord

__all__ = ["Hit", "Page", "Signal"]


@dataclass(frozen=True, slots=True)
class Signal:
    """One reason a memory was retrieved.

    Attributes:
        name: ``"lexical"``, ``"dense"``, ``"neighbour"``, ``"support"``, ...
        rank: 1-based rank of the memory in that signal's candidate list (for
            ``"neighbour"`` the distance, for ``"support"`` how many memories of
            the same turns lent their score).
        score: the signal's raw score (BM25, cosine similarity, or inherited score).
        via: for ``"neighbour"``, the id of the hit whose neighbour this is; for
            ``"support"``, the strongest of the memories that lent their score; for
            ``"passage"``, the passage of a long turn that its hit shows.
    """

    name: str
    rank: int
    score: float
    via: str | None = None

    def describe(self) -> str:
        """A short human-readable explanation."""
        if self.name == "neighbour":
            return f"neighbour of {self.via} (distance {self.rank})"
        if self.name == "support":
            return f"support from {self.rank} more of its turns' memories ({self.score:.3f})"
        if self.name == "passage":
            return f"shown by its passage {self.via} ({self.score:.3f})"
        return f"{self.name} #{self.rank} ({self.score:.3f})"


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved memory.

    Attributes:
        memory: the memory.
        score: fused score, higher is better.
        why: the signals that produced it.
        sources: the source episodes it derives from (the memory itself for episodes).
    """

    memory: MemoryRecord
    score: float
    why: tuple[Signal, ...]
    sources: tuple[MemoryRecord, ...]

    def explain(self) -> str:
        """All signals as one line, e.g. ``"lexical #1 (7.2); dense #3 (0.61)"``."""
        return "; ".join(signal.describe() for signal in self.why)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing: iterate it, or take its ``len()``, for its memories.

    Attributes:
        memories: the memories on this page, in insertion order.
        next_cursor: pass it back to get the next page; ``None`` on the last page.
    """

    memories: list[MemoryRecord]
    next_cursor: str | None

    def __iter__(self) -> Iterator[MemoryRecord]:
        return iter(self.memories)

    def __len__(self) -> int:
        return len(self.memories)
