"""Truth that changes: which existing relations a new one supersedes (pure functions).

A single-valued predicate (lives in, works at, age, favourite X...) holds one
value at a time: a new, different value ends the old one. A preference flips:
"likes sushi" is ended by a later "dislikes sushi" and vice versa. Nothing is
deleted; the caller marks the old facts superseded and keeps them in history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engramdb.model.graph import Relation, entity_key
from engramdb.pipeline.understand.facts import OPPOSITES, SINGLE_VALUED

__all__ = ["is_single_valued", "superseded_by"]


def is_single_valued(predicate: str) -> bool:
    """Whether ``predicate`` holds one value at a time."""
    return predicate in SINGLE_VALUED or predicate.startswith("favourite_")


def superseded_by(new: Relation, current: Sequence[Relation]) -> list[Relation]:
    """The relations among ``current`` (still true) that ``new`` ends.

    Only relations of the same subject that began no later than ``new`` are
    ended: a fact about the past does not overwrite a newer one.
    """
    ended = []
    value = entity_key(new.object_value or "")
    single = is_single_valued(new.predicate)
    for old in current:
        same = old.predicate == new.predicate and single
        if not same and OPPOSITES.get(old.predicate) != new.predicate:
            continue  # cheap test first: a user has many current relations
        if old.subject_id != new.subject_id or old.valid_to is not None or old.id == new.id:
            continue
        if not _not_after(old.valid_from, new.valid_from):
            continue
        if (entity_key(old.object_value or "") != value) is same:
            ended.append(old)
    return ended


def _not_after(old: datetime | None, new: datetime | None) -> bool:
    return old is None or new is None or old <= new
