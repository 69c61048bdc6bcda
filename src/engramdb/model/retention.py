"""Retention: memories fade unless used, like the forgetting curve R = exp(-dt / S).

``dt`` is the time since the memory was last used (returned in a context, or
marked useful with feedback), or since it was learned if it never was. ``S``
(the strength, in days) starts higher for important memories and grows each
time the memory is used, so a memory used every few days outlives an identical
one that is never used. Faded memories are archived (kept, restorable), never
destroyed; only an explicit ``forget`` deletes.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from engramdb.model.memory import MemoryRecord

__all__ = [
    "BASE_STRENGTH_DAYS",
    "FADED",
    "initial_strength",
    "is_charged",
    "reinforced",
    "retention",
]

BASE_STRENGTH_DAYS = 30.0
FADED = 0.05  # retention below which a memory is archived by `fade`
GROWTH = 1.5  # each use multiplies the strength by this (plus a day)
MAX_STRENGTH_DAYS = 10 * 365.0
_DAY = 86_400.0
# Emotionally charged words and marks: such moments are remembered longer.
_CHARGED = re.compile(
    r"!|\b(?:love[ds]?|hate[ds]?|amazing|awful|terrible|wonderful|devastat\w*|thrill\w*|"
    r"heartbr\w*|died|passed away|funeral|wedding|married|engaged|pregnan\w*|born|"
    r"promot\w*|fired|divorc\w*|accident|hospital|scared|afraid|proud|excited|furious)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=16_384)  # every search weighs its candidates: the same texts again
def is_charged(text: str) -> bool:
    """Whether a text carries emotion (exclamations, strong feelings, life events)."""
    return bool(_CHARGED.search(text))


def initial_strength(memory: MemoryRecord) -> float:
    """Strength in days at creation: higher for important and emotionally charged memories."""
    strength = BASE_STRENGTH_DAYS * (0.5 + 2 * memory.importance)  # importance 0.5 -> 1.5x
    if is_charged(memory.text):
        strength *= 2
    return strength


def _strength(memory: MemoryRecord) -> float:
    return memory.strength if memory.strength is not None else initial_strength(memory)


def retention(memory: MemoryRecord, now: datetime) -> float:
    """How well the memory is retained at ``now``, in (0, 1]."""
    since = memory.last_used_at or memory.recorded_at
    days = max(0.0, (now - since).total_seconds() / _DAY)
    return math.exp(-days / _strength(memory))


def reinforced(memory: MemoryRecord, now: datetime) -> MemoryRecord:
    """The memory after a use at ``now``: stronger, and its clock reset."""
    strength = min(MAX_STRENGTH_DAYS, _strength(memory) * GROWTH + 1.0)
    return replace(memory, strength=strength, last_used_at=now)
