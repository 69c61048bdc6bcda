"""How memories relate over time: a memory's lineage, and a scope's timeline."""

from __future__ import annotations

from dataclasses import dataclass

from engramdb.model.memory import MemoryRecord

__all__ = ["Lineage", "Timeline"]


@dataclass(frozen=True, slots=True)
class Lineage:
    """Where a memory came from, what was made of it, and the truth around it.

    Attributes:
        memory: the memory.
        sources: the memories it was derived from (for a fact: its turns), in order.
        derived: the memories derived from it (facts, profile slots, gists), oldest first.
        replaced: the memories it superseded or absorbed (a merged duplicate), and what those
            replaced in turn, newest first.
        replaced_by: what superseded it, then what superseded that, oldest first; the last
            one is the value true now.
    """

    memory: MemoryRecord
    sources: tuple[MemoryRecord, ...]
    derived: tuple[MemoryRecord, ...]
    replaced: tuple[MemoryRecord, ...]
    replaced_by: tuple[MemoryRecord, ...]


@dataclass(frozen=True, slots=True)
class Timeline:
    """One page of a scope's conversation in time order, with what was made of it.

    Attributes:
        turns: the turns (episodes) of this page, in the order they were said.
        derived: the memories derived from these turns (facts, profile slots, and the
            episode, session and day gists that cover them), any status, oldest first.
        next_cursor: pass it back to get the next page; ``None`` on the last page.
    """

    turns: tuple[MemoryRecord, ...]
    derived: tuple[MemoryRecord, ...]
    next_cursor: str | None
