"""A procedure: the best-known way of doing a kind of task, and what to avoid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engramdb.model.memory import MemoryRecord

__all__ = ["Procedure"]


@dataclass(frozen=True, slots=True)
class Procedure:
    """What worked for tasks like the one asked about.

    Attributes:
        id: the procedure memory's id.
        pattern: the kind of task (tasks without their particulars).
        example: the latest task it was learned from.
        steps: the step sequence that succeeded most often.
        successes: how many attempts succeeded.
        failures: how many failed.
        pitfalls: what went wrong in failed attempts, most frequent first.
        sources: the trajectories it was learned from.
        similarity: how alike the asked task and this kind of task are (cosine).
    """

    id: str
    pattern: str
    example: str
    steps: tuple[str, ...]
    successes: int
    failures: int
    pitfalls: tuple[str, ...]
    sources: tuple[str, ...]
    similarity: float

    @property
    def success_rate(self) -> float:
        """Successes over attempts."""
        return self.successes / max(1, self.successes + self.failures)

    @classmethod
    def from_memory(cls, memory: MemoryRecord, similarity: float) -> Procedure:
        """Read a procedure memory (its metadata holds the parts)."""
        data = memory.metadata
        return cls(
            id=memory.id,
            pattern=str(data.get("pattern", "")),
            example=str(data.get("example", "")),
            steps=tuple(data.get("steps", ())),
            successes=int(data.get("successes", 0)),
            failures=int(data.get("failures", 0)),
            pitfalls=tuple(data.get("pitfalls", ())),
            sources=memory.sources,
            similarity=similarity,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form; see :mod:`engramdb.model.codec`."""
        from engramdb.model.codec import procedure_to_dict

        return procedure_to_dict(self)
