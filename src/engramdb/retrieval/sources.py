"""The candidate sources: lexical, quoted, dense, gist, graph, relation and time.

Each ranks memories for the query on its own terms; fusion weighs their lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from engramdb.model.filters import And, Cond, Filter
from engramdb.model.graph import Relation
from engramdb.ports.batch import Probe
from engramdb.ports.store import ScoredId
from engramdb.retrieval.focus import kinds_asked_for, predicates_asked_for
from engramdb.retrieval.parts import Search, and_, in_order
from engramdb.retrieval.text import query_terms, quoted_terms

__all__ = ["Dense", "Gist", "Graph", "Lexical", "Quoted", "Relations", "Time", "above_floor"]

NO_WEIGHT = 1e-4  # BM25 scores at or below this come from words with clamped IDF only
OWN_ROLES = frozenset({"speaker", "subject"})  # said by the entity, or a fact about it
GISTS = Cond("kind", "eq", "summary", column=True)


@dataclass(frozen=True, slots=True)
class Lexical:
    """BM25 over the memories' words (the store's keyword index).

    Attributes:
        floor: candidates scoring below this fraction of the best lexical score are
            dropped (a match on a word every memory has, like the speaker's name, is
            no evidence).
    """

    weight: float = 1.0
    floor: float = 0.2
    name: str = "lexical"

    def probes(self, search: Search) -> list[Probe]:
        return [Probe("lexical", search.evidence, tuple(query_terms(search.text)))]

    def gather(self, search: Search) -> dict[str, list[ScoredId]]:
        if not search.store.capabilities.keyword:
            return {}
        found = search.lexical(query_terms(search.text), search.evidence)
        return {self.name: above_floor(found, self.floor)}


def above_floor(found: list[ScoredId], floor: float) -> list[ScoredId]:
    """``found`` without the matches scoring under ``floor`` times the best one's.

    FTS5 gives a word in half the scope or more (a speaker's name) a near-zero weight;
    a match on such words alone is no evidence, even in a tiny scope.
    """
    least = max(floor * (found[0][1] if found else 0.0), NO_WEIGHT)
    return in_order([(i, s) for i, s in found if s >= least])


@dataclass(frozen=True, slots=True)
class Quoted:
    """Each part of the query in quotes, matched on its own words alone.

    "How many days before the 'Rack Fest' did I take part in 'Turbocharged Tuesdays'?"
    asks about two things. In one lexical list, the one that more memories mention
    fills the first places; a list per quote keeps the best match of each near the top.
    Used when the query quotes two things or more.
    """

    weight: float = 1.0
    floor: float = 0.2
    name: str = "quoted"

    def probes(self, search: Search) -> list[Probe]:
        if not self.weight:
            return []
        return [Probe("lexical", search.evidence, terms) for terms in quoted_terms(search.text)]

    def gather(self, search: Search) -> dict[str, list[ScoredId]]:
        if not self.weight or not search.store.capabilities.keyword:
            return {}
        return {
            f"{self.name}{number}": above_floor(
                search.lexical(list(terms), search.evidence), self.floor
            )
            for number, terms in enumerate(quoted_terms(search.text))
        }


@dataclass(frozen=True, slots=True)
class Dense:
    """The memories whose vectors are nearest to the query's."""

    weight: float = 1.0
    name: str = "dense"

    def probes(self, search: Search) -> list[Probe]:
        return [Probe("dense", search.evidence, vector=search.vector)]

    def gather(self, search: Search) -> dict[str, list[ScoredId]]:
        return {self.name: search.dense(search.evidence)}


@dataclass(frozen=True, slots=True)
class Gist:
    """Episode and session gists, by a dense search of their own.

    They have their own small list (a gist's vector is its turns' centroid), so they
    neither crowd the turns' lists nor slow their scans. See :class:`~engramdb.retrieval
    .rerank.DrillDown` for how a gist found becomes its turns.

    Attributes:
        top: at most this many gists (0: none are searched).
    """

    weight: float = 1.0
    top: int = 8
    name: str = "gist"

    def probes(self, search: Search) -> list[Probe]:
        if search.direct or not self.top:
            return []
        return [Probe("dense", and_(search.flt, GISTS), vector=search.vector)]

    def gather(self, search: Search) -> dict[str, list[ScoredId]]:
        if search.direct or not self.top:
            return {}
        return {self.name: search.dense(and_(search.flt, GISTS))[: self.top]}


@dataclass(frozen=True, slots=True)
class Graph:
    """Memories mentioning entities of the kind the query asks for, near its entities.

    "Which cities have both Ana and Ben visited?" asks for places: the places linked
    to the most of the named entities (Rome, by both) are the answer candidates, and
    the memories in which a named entity tells of one (or a fact about it names one)
    are the evidence, closest to the query first. Only entities named by name count:
    the user is linked to everything they ever mentioned, no constraint on answers.
    """

    weight: float = 1.0
    name: str = "graph"

    def probes(self, search: Search) -> list[Probe]:
        search.planned[self.name] = best = _answer_memories(search)
        return [Probe("dense", None, vector=search.vector, among=tuple(best))] if best else []

    def gather(self, search: Search) -> dict[str, list[ScoredId]]:
        planned = search.planned.get(self.name)
        best = _answer_memories(search) if planned is None else planned
        found = search.among(best) if best else []
        return {self.name: found} if found else {}


def _answer_memories(search: Search) -> list[str]:
    """The memories in which the most named entities meet one of the kind asked for."""
    kinds = kinds_asked_for(search.text)
    graph = search.graph
    if not kinds or not search.by_name or graph is None:
        return []
    wanted = {e.id for e in search.known if e.kind in kinds}
    if not wanted:
        return []
    people = {e.id for e in search.by_name}
    mentioned = graph.mentions(entity_ids=list(wanted | people))  # one look-up for both
    answers = [m for m in mentioned if m.entity_id in wanted]
    memory_ids = {m.memory_id for m in answers}
    about = [m for m in mentioned if m.entity_id in people and m.memory_id in memory_ids]
    by_memory: dict[str, set[str]] = {}
    for m in [*answers, *(m for m in about if m.role in OWN_ROLES)]:
        by_memory.setdefault(m.memory_id, set()).add(m.entity_id)
    links: dict[str, set[str]] = {}  # wanted entity -> named entities it appears with
    for entities in by_memory.values():
        for target in entities & wanted:
            links.setdefault(target, set()).update(entities & people)
    scored = {
        memory_id: max(len(links.get(t, ())) for t in entities & wanted)
        for memory_id, entities in by_memory.items()
        if entities & people
    }
    top = max(scored.values(), default=0)
    return [i for i, n in scored.items() if n == top and n > 0]


@dataclass(frozen=True, slots=True)
class Relations:
    """The facts stating what the query asks of the people it names, newest first.

    "Where does Ana work now?" asks for ``works_at`` and ``job``: Ana's facts with
    those predicates that are true now (with ``as_of``: that were true then).
    """

    weight: float = 2.0
    name: str = "relation"

    def gather(self, search: Search) -> dict[str, list[ScoredId]]:
        predicates = predicates_asked_for(search.text)
        people = [e.id for e in search.named if e.kind == "person"]
        graph = search.graph
        if not predicates or not people or graph is None:
            return {}
        at = search.as_of
        found = [
            r
            for r in graph.relations(search.scope, entity_ids=people, current_only=at is None)
            if r.predicate in predicates and r.subject_id in people and _held(r, at)
        ]
        found.sort(key=lambda r: r.valid_from or datetime.min.replace(tzinfo=UTC))
        facts = [(r.fact_id, 1.0) for r in reversed(found)][: search.candidates]
        return {self.name: facts} if facts else {}


@dataclass(frozen=True, slots=True)
class Time:
    """For each interval the query's time expressions mean, the nearest memories in it.

    The lists are called ``time0``, ``time1``, ...; fusion names them all ``time``.
    """

    weight: float = 1.0
    name: str = "time"

    def probes(self, search: Search) -> list[Probe]:
        return [
            Probe("dense", _within(search.evidence, start, end), vector=search.vector)
            for start, end in search.windows
        ]

    def gather(self, search: Search) -> dict[str, list[ScoredId]]:
        return {
            f"{self.name}{number}": search.dense(_within(search.evidence, start, end))
            for number, (start, end) in enumerate(search.windows)
        }


def _held(relation: Relation, at: datetime | None) -> bool:
    """Whether ``relation`` was true at ``at`` (``None``: it is true now)."""
    if at is None:
        return relation.valid_to is None
    started = relation.valid_from is None or relation.valid_from <= at
    return started and (relation.valid_to is None or at < relation.valid_to)


def _within(flt: Filter | None, start: datetime, end: datetime) -> Filter:
    """``flt`` and "happened in ``[start, end)``"."""
    window = And(
        (
            Cond("occurred_at", "gte", start.isoformat(), column=True),
            Cond("occurred_at", "lt", end.isoformat(), column=True),
        )
    )
    return and_(flt, window)
