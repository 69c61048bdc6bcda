"""Episodes: the turn stream cut at topic shifts and time gaps, each with an extractive gist.

A boundary falls before a turn when

* time has passed: it came more than ``gap`` after the previous turn, or
* the topic shifted (embedding surprise, as in EM-LLM): its cosine distance from the
  centroid of the last ``window`` turns exceeds the mean + ``gamma`` * std of the same
  distances over the episode's last ``window`` turns (at least ``min_turns`` of them,
  the std floored at a tenth of the mean so that noise is not a surprise),

and an episode is never shorter than ``min_turns`` (unless time cuts it) nor longer than
``max_turns``. A gist is made of the episode's most central sentences: those whose words
recur most across its turns, in the order they were said, each with its speaker. Sessions
and days roll up the same way, over all their turns. A gist's vector is the normalised
centroid of its turns' vectors, so building gists needs no model call.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from engramdb.model.memory import MemoryRecord
from engramdb.types import Vector

__all__ = ["SegmentSettings", "centroid", "gist", "segment"]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W\d_]{4,}")  # content-ish words: short function words drop out
_MAX_SENTENCE_CHARS = 240
_MIN_RELATIVE_SPREAD = 0.1


@dataclass(frozen=True, slots=True)
class SegmentSettings:
    """Knobs of episode segmentation and gists.

    Attributes:
        window: turns in the running window a new turn is compared with.
        gamma: how many standard deviations above the mean distance is a surprise.
        min_turns: an episode has at least this many turns (unless time cuts it).
        max_turns: an episode has at most this many turns.
        gap: a pause longer than this always starts a new episode.
        gist_sentences: sentences in an episode's gist.
        rollup_sentences: sentences in a session's or day's gist.
    """

    window: int = 4
    gamma: float = 1.0
    min_turns: int = 3
    max_turns: int = 12
    gap: timedelta = timedelta(hours=2)
    gist_sentences: int = 2
    rollup_sentences: int = 4


def centroid(vectors: Sequence[Vector]) -> Vector:
    """The unit-length mean of ``vectors``."""
    mean = np.mean(np.asarray(vectors, dtype=np.float32), axis=0)
    norm = float(np.linalg.norm(mean))
    unit: Vector = (mean / norm if norm > 0 else mean).astype(np.float32)
    return unit


def segment(
    turns: Sequence[MemoryRecord],
    vectors: dict[str, Vector],
    settings: SegmentSettings | None = None,
) -> list[list[MemoryRecord]]:
    """Cut ``turns`` (one session, in order) into episodes."""
    s = settings or SegmentSettings()
    episodes: list[list[MemoryRecord]] = []
    current: list[MemoryRecord] = []
    surprises: list[float] = []
    for turn in turns:
        distance = None
        if current and turn.id in vectors:
            distance = _distance(turn, current[-s.window :], vectors)
        if current and _boundary(turn, current, surprises, distance, s):
            episodes.append(current)
            current, surprises, distance = [], [], None
        if distance is not None:
            surprises.append(distance)
        current.append(turn)
    if current:
        episodes.append(current)
    return episodes


def _boundary(
    turn: MemoryRecord,
    current: list[MemoryRecord],
    surprises: list[float],
    distance: float | None,
    s: SegmentSettings,
) -> bool:
    """Whether ``turn``, at ``distance`` from the running window, starts a new episode."""
    if turn.occurred_at - current[-1].occurred_at > s.gap or len(current) >= s.max_turns:
        return True
    recent = surprises[-s.window :]
    if len(current) < s.min_turns or len(recent) < s.min_turns or distance is None:
        return False
    mean = float(np.mean(recent))
    # a few near-equal samples have a tiny spread: do not call ordinary noise a surprise
    spread = max(float(np.std(recent)), _MIN_RELATIVE_SPREAD * mean)
    return distance > mean + s.gamma * spread


def _distance(turn: MemoryRecord, window: list[MemoryRecord], vectors: dict[str, Vector]) -> float:
    known = [vectors[t.id] for t in window if t.id in vectors]
    if not known:
        return 0.0
    return 1.0 - float(np.dot(vectors[turn.id], centroid(known)))


def gist(turns: Sequence[MemoryRecord], sentences: int) -> str:
    """The ``sentences`` most central sentences of ``turns``, in order, with speakers."""
    candidates: list[tuple[int, str, str]] = []  # (position, speaker, sentence)
    for turn in turns:
        text = turn.reading or turn.text
        for part in _SENTENCE_END.split(text.strip()):
            if _WORD.search(part):
                candidates.append((len(candidates), turn.speaker or "", part.strip()))
    if not candidates:
        return " ".join((t.reading or t.text).strip() for t in turns)[:_MAX_SENTENCE_CHARS]
    spread = Counter(w for turn in turns for w in set(_words(turn.reading or turn.text)))

    def centrality(item: tuple[int, str, str]) -> float:
        words = _words(item[2])
        return sum(spread[w] - 1 for w in set(words)) / (len(words) ** 0.5 or 1.0)

    chosen = sorted(sorted(candidates, key=lambda c: (-centrality(c), c[0]))[:sentences])
    return " ".join(_said(speaker, sentence) for _, speaker, sentence in chosen)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _said(speaker: str, sentence: str) -> str:
    sentence = sentence[:_MAX_SENTENCE_CHARS]
    return f"{speaker}: {sentence}" if speaker else sentence
