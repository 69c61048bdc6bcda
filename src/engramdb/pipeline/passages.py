"""Passages: a long turn cut into verbatim slices that are indexed on their own.

An assistant's answer or a pasted document runs to hundreds of tokens, and the
embedder reads only its first 256 word pieces. Cut into passages of a few
sentences, the part that answers a question is found wherever it sits in the
turn, and a hit costs only that part's tokens. A passage's source is its turn:
the turn stays the evidence.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from engramdb.model.ids import new_id
from engramdb.model.memory import MemoryKind, MemoryRecord

__all__ = ["PASSAGE_CHARS", "TURN_CHARS", "passage_texts", "passages_of"]

#: turns longer than this are also indexed as passages (about 250 word pieces: where
#: the embedder stops reading)
TURN_CHARS = 1000
#: a passage grows by paragraphs, lines or sentences up to about this length
PASSAGE_CHARS = 600
_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?])\s+"))


def passages_of(episode: MemoryRecord, now: datetime) -> tuple[MemoryRecord, ...]:
    """The passages of a long episode, in order; none for a short one."""
    if not _is_long(episode):
        return ()
    return tuple(_passage(episode, start, piece, now) for start, piece in _slices(episode.text))


def passage_texts(memory: MemoryRecord) -> list[str]:
    """The texts of a long episode's passages, in order; none for anything else."""
    return [piece for _, piece in _slices(memory.text)] if _is_long(memory) else []


def _is_long(memory: MemoryRecord) -> bool:
    return memory.kind is MemoryKind.EPISODE and len(memory.text) > TURN_CHARS


def _passage(episode: MemoryRecord, start: int, text: str, now: datetime) -> MemoryRecord:
    return replace(
        episode,
        id=new_id(now),
        kind=MemoryKind.PASSAGE,
        text=text,
        metadata={**episode.metadata, "passage_start": start},
        seq=None,
        reading=None,
        sources=(episode.id,),
        version=1,
    )


def _slices(text: str) -> list[tuple[int, str]]:
    """(offset, text) pieces of at most about ``PASSAGE_CHARS``, stripped, none empty."""
    spans: list[tuple[int, int]] = []
    start = end = 0
    for unit_start, unit_end in _units(text, 0, len(text), 0):
        if unit_end - start > PASSAGE_CHARS and end > start:
            spans.append((start, end))
            start = unit_start
        end = unit_end
    if end > start:
        spans.append((start, end))
    pieces = []
    for begin, finish in spans:
        piece = text[begin:finish]
        stripped = piece.strip()
        if stripped:
            pieces.append((begin + piece.index(stripped[0]), stripped))
    return pieces


def _units(text: str, start: int, end: int, level: int) -> list[tuple[int, int]]:
    """Spans of ``text[start:end]`` cut at paragraphs, then lines, then sentences."""
    if end - start <= PASSAGE_CHARS or level == len(_BREAKS):
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BREAKS[level].finditer(text, start, end):
        spans += _units(text, cursor, match.start(), level + 1)
        cursor = match.start()
    spans += _units(text, cursor, end, level + 1)
    return [(a, b) for a, b in spans if b > a]
