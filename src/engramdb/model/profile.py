"""A person's profile: bounded slots, each holding the values true now and their facts."""

from __future__ import annotations

from dataclasses import dataclass, field

from engramdb.model.graph import Entity

__all__ = ["SINGLE_SLOTS", "SLOTS", "Profile", "ProfileValue"]

SLOTS = ("name", "age", "home", "job", "family", "pets", "likes", "dislikes", "goals")
SINGLE_SLOTS = frozenset({"name", "age", "home"})  # one value each: the newest


@dataclass(frozen=True, slots=True)
class ProfileValue:
    """One slot value and the fact it comes from."""

    value: str
    fact_id: str
    predicate: str


@dataclass(frozen=True, slots=True)
class Profile:
    """What is currently known about one person, slot by slot (newest value first)."""

    person: Entity
    slots: dict[str, list[ProfileValue]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON-compatible form: single-valued slots as a value, others as lists."""
        out: dict[str, object] = {"person": self.person.name}
        for slot in SLOTS:
            values = [v.value for v in self.slots.get(slot, [])]
            out[slot] = (values[0] if values else None) if slot in SINGLE_SLOTS else values
        return out
