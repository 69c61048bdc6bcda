"""Profiles: bounded slots per person, filled from the relations that are true now."""

from __future__ import annotations

from collections.abc import Sequence

from engramdb.model.graph import Entity, Relation
from engramdb.model.profile import SLOTS, Profile, ProfileValue

__all__ = ["SLOTS", "Profile", "ProfileValue", "build_profile", "profile_line"]

MAX_VALUES = 10
_SLOT_OF = {
    "name": "name", "age": "age", "lives_in": "home", "job": "job", "works_at": "job",
    "has_pet": "pets", "likes": "likes", "dislikes": "dislikes", "goal": "goals",
    "partner": "family",
}  # fmt: skip


def _slot(predicate: str) -> str | None:
    if predicate.startswith("family_"):
        return "family"
    if predicate.startswith("favourite_"):
        return "likes"
    return _SLOT_OF.get(predicate)


def _value(relation: Relation) -> str:
    value = relation.object_value or ""
    if relation.predicate.startswith("family_") or relation.predicate == "partner":
        return f"{relation.predicate.removeprefix('family_')}: {value}"
    if relation.predicate.startswith("favourite_"):
        return (
            f"favourite {relation.predicate.removeprefix('favourite_').replace('_', ' ')}: {value}"
        )
    return value


def build_profile(person: Entity, relations: Sequence[Relation]) -> Profile:
    """The profile of ``person`` from its current relations (oldest first in, newest first out)."""
    slots: dict[str, list[ProfileValue]] = {}
    for relation in reversed(relations):
        slot = _slot(relation.predicate)
        if slot is None or relation.subject_id != person.id or relation.valid_to is not None:
            continue
        if not relation.object_value:
            continue
        values = slots.setdefault(slot, [])
        value = _value(relation)
        if len(values) < MAX_VALUES and value.lower() not in {v.value.lower() for v in values}:
            values.append(ProfileValue(value, relation.fact_id, relation.predicate))
    return Profile(person, slots)


def profile_line(profile: Profile, per_slot: int = 3) -> str:
    """The filled slots on one line: ``"Ana: home Lisbon; job nurse; pets Max"`` ("" if none).

    At most ``per_slot`` values (the newest) per slot: a summary, not the whole record.
    """
    parts = []
    for slot in SLOTS[1:]:
        values = [v.value for v in profile.slots.get(slot, [])][:per_slot]
        if values:
            parts.append(f"{slot} {', '.join(values)}")
    return f"{profile.person.name}: {'; '.join(parts)}" if parts else ""
