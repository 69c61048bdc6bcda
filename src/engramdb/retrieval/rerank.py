"""The steps after fusion: expansion (gists into turns, neighbours) and re-ranking.

Each step works on the fused candidates in place (or returns a new list) and names what it
did in the candidates' ``why`` signals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from engramdb.model.graph import Entity
from engramdb.model.memory import MemoryKind, MemoryRecord
from engramdb.model.query import Signal
from engramdb.model.retention import retention
from engramdb.ports.batch import nearest
from engramdb.retrieval.contiguity import expand_neighbours
from engramdb.retrieval.evidence import pool_support
from engramdb.retrieval.fusion import Fused
from engramdb.retrieval.parts import Search

__all__ = [
    "AnswerType",
    "Contiguity",
    "DrillDown",
    "Focus",
    "GraphBoost",
    "Recency",
    "Retention",
    "Support",
    "TimeBoost",
]

FOCUS_ROLES = frozenset({"speaker", "named", "pronoun", "subject"})
OWN_ROLES = frozenset({"speaker", "subject"})  # said by the entity, or a fact about it


@dataclass(frozen=True, slots=True)
class DrillDown:
    """Replace each gist found by its turns closest to the query (gists are not evidence).

    Attributes:
        turns: a gist stands for this many of its turns.
        weight: those turns gain the gist's score times this.
        top: only gists ranked this high in the fused list are opened.
    """

    turns: int = 3
    weight: float = 0.25
    top: int = 8

    def apply(self, search: Search, fused: list[Fused]) -> list[Fused]:
        if search.direct:  # the caller asked for a kind: gists are returned as they are
            return fused
        memories = search.memories
        gists = [f for f in fused[: self.top] if _is_gist(memories.get(f.id))]
        if not gists:
            return [f for f in fused if not _is_gist(memories.get(f.id))]
        members = {g.id: memories[g.id].sources for g in gists}
        vectors = search.store.vectors_of(list({i for ids in members.values() for i in ids}))
        kept = {f.id: f for f in fused if not _is_gist(memories.get(f.id))}
        for found in gists:
            closest = nearest(members[found.id], vectors, search.vector, self.turns)
            for rank, (turn_id, _) in enumerate(closest, start=1):
                entry = kept.setdefault(turn_id, Fused(turn_id, 0.0))
                entry.score += found.score * self.weight
                entry.signals.append(Signal("gist", rank, found.score, via=found.id))
        search.fetch(list(kept))
        return sorted(kept.values(), key=lambda f: -f.score)


@dataclass(frozen=True, slots=True)
class Contiguity:
    """The best hits pull in their neighbouring turns (see :mod:`.contiguity`).

    Attributes:
        window: how many turns either side (0 disables).
        decay: the turn after a hit that asks a question scores the hit's score times
            this per step.
        context_decay: any other neighbour scores the hit's times this per step.
        top: how many of the best hits pull in neighbours.
    """

    window: int = 1
    decay: float = 0.8
    context_decay: float = 0.5
    top: int = 15

    def apply(self, search: Search, fused: list[Fused]) -> list[Fused]:
        if self.window <= 0:
            return fused
        memories = search.memories
        head = fused[: self.top]
        around = search.neighbours([memories[f.id] for f in head if f.id in memories], self.window)
        return expand_neighbours(
            head, memories, lambda m: around.get(m.id, []), decay=self.decay,
            context_decay=self.context_decay, others=fused[self.top :],
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Focus:
    """Favour memories about the entities the query names; say so in ``why``.

    Attributes:
        penalty: candidates that mention none of them (as speaker, by name, by pronoun or
            as a fact's subject) have their score multiplied by this.
        mention_weight: candidates that only name or refer to them (the other party
            saying "Thanks, Mel!"), but are neither said by them nor a fact about them,
            have their score multiplied by this: what a person did is told by that person.
    """

    penalty: float = 0.4
    mention_weight: float = 0.5

    def apply(self, search: Search, fused: list[Fused]) -> list[Fused]:
        graph = search.graph
        if not search.named or graph is None:
            return fused
        about = _about(search, [f.id for f in fused])
        names = {e.id: e.name for e in search.named}
        for entry in fused:
            if entry.id not in about:
                entry.score *= self.penalty
                continue
            entity_id, own = about[entry.id]
            entry.signals.append(Signal("entity", 1, 1.0, via=names[entity_id]))
            if not own:
                entry.score *= self.mention_weight
        return fused


def _about(search: Search, candidates: list[str]) -> dict[str, tuple[str, bool]]:
    """Memory -> (the named entity it is about, whether said by it or about it)."""
    assert search.graph is not None
    named: list[Entity] = search.named
    about: dict[str, tuple[str, bool]] = {}
    for mention in search.mentions([e.id for e in named], candidates):
        found = about.get(mention.memory_id)
        if mention.role in FOCUS_ROLES and (found is None or not found[1]):  # own wins
            about[mention.memory_id] = (mention.entity_id, mention.role in OWN_ROLES)
    return about


@dataclass(frozen=True, slots=True)
class GraphBoost:
    """The graph source's candidates have their fused score multiplied by ``boost``."""

    boost: float = 1.5
    source: str = "graph"

    def apply(self, search: Search, fused: list[Fused]) -> list[Fused]:
        ids = {i for i, _ in search.ranked.get(self.source, [])}
        for entry in fused:
            if entry.id in ids:
                entry.score *= self.boost
        return fused


@dataclass(frozen=True, slots=True)
class TimeBoost:
    """Candidates that happened within the query's time expressions score ``boost`` times more.

    With ``said``, a derived memory also counts when one of its source turns was said
    within them: a question can ask when something was told, not when it happened.
    """

    boost: float = 2.0
    said: bool = True

    def apply(self, search: Search, fused: list[Fused]) -> list[Fused]:
        windows = search.windows
        if not windows:
            return fused
        said = _said_at(search, fused) if self.said else {}
        for entry in fused:
            memory = search.memories.get(entry.id)
            if memory is None:
                continue
            times = (memory.occurred_at, *said.get(entry.id, ()))
            if not any(a <= t < b for a, b in windows for t in times):
                continue
            entry.score *= self.boost
            if not any(sig.name == "time" for sig in entry.signals):
                entry.signals.append(Signal("time", 0, 1.0))
        return fused


#: a question about what is true now: a word that says so, or a present-tense verb first
_NOW = re.compile(
    r"\b(?:now|currently|current|these days|at the moment|nowadays|anymore|still)\b", re.I
)
_PRESENT = re.compile(r"^\W*(?:\w+\W+){0,3}?(?:do|does|am|is|are|have|has)\b", re.I)
_PAST = re.compile(
    r"\b(?:did|was|were|had|ago|last|before|after|first|ever|used to)\b|\b\w+\wed\b", re.I
)
#: words in -ed that describe a state now ("Where am I based?", "Who am I married to?")
_STATES = frozenset({
    "based", "interested", "married", "engaged", "employed", "located", "called", "named",
    "need", "obsessed", "excited", "involved", "related", "tired", "worried", "allowed",
})  # fmt: skip


def asks_about_now(query: str) -> bool:
    """Whether a question asks what is true now ("Where do I live now?", "What is my job?")."""
    if _NOW.search(query):
        return True
    past = [m.group(0).lower() for m in _PAST.finditer(query)]
    return bool(_PRESENT.search(query)) and all(word in _STATES for word in past)


@dataclass(frozen=True, slots=True)
class Recency:
    """For a question about what is true now (or at ``as_of``), the latest of the best wins.

    When a value changed over time ("We moved to Denver", months after "I live in
    Austin"), every statement of it answers "Where do I live?" about equally well; the
    one said last is the one still true. Among the ``top`` candidates, ordered by when
    they were said, the oldest has its score multiplied by ``1 - weight``, the newest by
    1, the others in between. Not applied when the query names a time.
    """

    weight: float = 0.3
    top: int = 5

    def apply(self, search: Search, fused: list[Fused]) -> list[Fused]:
        if self.weight <= 0 or search.windows:
            return fused
        if search.as_of is None and not asks_about_now(search.text):
            return fused
        fused.sort(key=lambda f: -f.score)
        head = [f for f in fused[: self.top] if f.id in search.memories]
        said = _said_at(search, head)
        when = {f.id: max((search.memories[f.id].occurred_at, *said.get(f.id, ()))) for f in head}
        oldest_first = sorted(head, key=lambda f: when[f.id])
        steps = max(len(oldest_first) - 1, 1)
        for age, entry in enumerate(reversed(oldest_first)):
            entry.score *= 1 - self.weight * age / steps
        return fused


def _said_at(search: Search, fused: list[Fused]) -> dict[str, list[datetime]]:
    """When each derived candidate's source turns were said."""
    derived = [search.memories[f.id] for f in fused if f.id in search.memories]
    derived = [m for m in derived if m.sources]
    turns = search.fetch(list(dict.fromkeys(s for m in derived for s in m.sources)))
    return {m.id: [turns[s].occurred_at for s in m.sources if s in turns] for m in derived}


#: questions that ask for an amount of money, and what a memory that could answer one says
_ASKS_MONEY = re.compile(
    r"\bhow much (?:money\b|.*\b(?:spen[dt]|cost|costs|pa(?:y|id)|earn(?:ed)?|sav(?:e|ed)|"
    r"raise[ds]?|budget(?:ed)?|charge[ds]?|worth)\b)|\btotal (?:amount|cost)\b|"
    r"\bwhat (?:was|is|were|are) the (?:price|cost)",
    re.IGNORECASE,
)
_MONEY = re.compile(r"[$€£¥]\s?\d|\b\d[\d,.]*\s?(?:dollars|euros|pounds|bucks)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AnswerType:
    """Favour memories that hold what the question asks for: an amount of money.

    "How much did I spend on ...?" is answered by what says "$40" (and, added up, by every
    memory that names a price). Such candidates score ``boost`` times more (1 disables);
    ``why`` says ``answer``. Counts ("how many ...?") are not boosted: a number is in too
    many memories to tell the answer apart (measured: no gain on either benchmark).
    """

    boost: float = 1.5

    def apply(self, search: Search, fused: list[Fused]) -> list[Fused]:
        if self.boost == 1 or not _ASKS_MONEY.search(search.text):
            return fused
        for entry in fused:
            memory = search.memories.get(entry.id)
            if memory is not None and _MONEY.search(memory.reading or memory.text):
                entry.score *= self.boost
                entry.signals.append(Signal("answer", 0, 1.0))
        return fused


@dataclass(frozen=True, slots=True)
class Retention:
    """Favour well-retained memories a little; name the signal when it is strong.

    Scores are multiplied by ``1 + weight * R``, where R in (0, 1] is how well the memory
    is retained at the search's ``retention_at`` (see :mod:`engramdb.model.retention`).
    """

    weight: float = 0.2

    def apply(self, search: Search, fused: list[Fused]) -> list[Fused]:
        at = search.retention_at
        if at is None:
            return fused
        for entry in fused:
            memory = search.memories.get(entry.id)
            if memory is not None:
                _weigh(entry, memory, at, self.weight)
        return fused


def _weigh(entry: Fused, memory: MemoryRecord, at: datetime, weight: float) -> None:
    kept = retention(memory, at)
    entry.score *= 1 + weight * kept
    if kept >= 0.5 and memory.last_used_at is not None:
        entry.signals.append(Signal("retention", 0, kept))


@dataclass(frozen=True, slots=True)
class Support:
    """The best candidate standing for some turns gains the others' scores times ``weight``.

    A turn and the facts drawn from it are found once, as one piece of evidence (see
    :func:`~engramdb.retrieval.evidence.pool_support`).
    """

    weight: float = 0.8

    def apply(self, search: Search, fused: list[Fused]) -> list[Fused]:
        pool_support(fused, search.memories, self.weight)
        return fused


def _is_gist(memory: MemoryRecord | None) -> bool:
    return memory is not None and memory.kind is MemoryKind.SUMMARY
