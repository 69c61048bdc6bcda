"""The hybrid retriever: lexical + dense candidates, RRF, temporal contiguity, budget."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from engramdb.model.filters import And, Cond, Filter, Not, matches
from engramdb.model.graph import Entity, Relation
from engramdb.model.memory import MemoryKind, MemoryRecord, Scope, valid_at
from engramdb.model.query import Hit, Signal
from engramdb.model.retention import retention
from engramdb.ports.embedder import Embedder
from engramdb.ports.store import GraphStore, KeywordIndex, MemoryStore, ScoredId, VectorIndex
from engramdb.retrieval.budget import count_tokens, within_budget
from engramdb.retrieval.contiguity import expand_neighbours
from engramdb.retrieval.evidence import evidence_of, pool_support
from engramdb.retrieval.focus import (
    entities_in_query,
    kinds_asked_for,
    parties_in_query,
    predicates_asked_for,
    without_names,
)
from engramdb.retrieval.fusion import Fused, rrf
from engramdb.retrieval.text import query_terms
from engramdb.types import Vector

__all__ = ["RetrievalSettings", "Retriever"]


@dataclass(frozen=True, slots=True)
class RetrievalSettings:
    """Knobs of the hybrid retriever.

    Attributes:
        candidates: how many candidates each signal contributes.
        rrf_k: the RRF constant.
        lexical_weight: weight of the lexical signal in fusion.
        dense_weight: weight of the dense signal in fusion.
        neighbour_window: how many turns either side a hit pulls in (0 disables).
        neighbour_decay: the turn after a hit that asks a question (its answer)
            scores the hit's score times this per step.
        context_decay: any other neighbour scores the hit's times this per step.
        expand_top: how many of the best hits pull in neighbours.
        lexical_floor: lexical candidates scoring below this fraction of the best
            lexical score are dropped (a match on a word every memory has, like
            the speaker's name, is no evidence).
        entity_penalty: when the query names known entities, candidates that
            mention none of them (as speaker, by name, by pronoun or as a fact's
            subject) have their score multiplied by this.
        mention_weight: candidates that only name or refer to them (the other
            party saying "Thanks, Mel!"), but are neither said by them nor a fact
            about them, have their score multiplied by this: what a person did is
            told by that person.
        time_boost: when the query has a time expression, candidates that happened
            within it have their score multiplied by this.
        graph_weight: weight in fusion of the graph candidates (memories mentioning
            entities of the kind the query asks for, linked to the entities it names).
        graph_boost: graph candidates also have their fused score multiplied by this.
        relation_weight: weight in fusion of the relation candidates: when the query
            asks for a single-valued attribute ("Where does Ana work?"), the facts
            stating it of the people it names, newest first.
        retention_weight: scores are multiplied by ``1 + retention_weight * R``, where
            R in (0, 1] is how well the memory is retained (recently used, strong
            memories rank a little higher; see :mod:`engramdb.model.retention`).
        support_weight: the best of the candidates that stand for the same turns
            (a turn and the facts drawn from it) gains the others' scores times
            this (they are found once, as one piece of evidence).
        gist_turns: a gist (episode or session summary) the query finds stands for
            this many of its turns, those closest to the query: search goes gist
            first, then down to the turns, which remain the evidence.
        gist_weight: those turns gain the gist's score times this.
        gist_top: gists are found by a dense search of their own, this many at most;
            only those ranked this high in the fused list are opened.
        party_focus: a question's "I" and "you" name the user and the assistant, so
            the entity focus favours what the one asked about said.
    """

    candidates: int = 50
    rrf_k: int = 5
    lexical_weight: float = 1.0
    dense_weight: float = 1.0
    neighbour_window: int = 1
    neighbour_decay: float = 0.8
    context_decay: float = 0.5
    expand_top: int = 15
    lexical_floor: float = 0.2
    entity_penalty: float = 0.4
    mention_weight: float = 0.5
    time_boost: float = 2.0
    graph_weight: float = 1.0
    graph_boost: float = 1.5
    relation_weight: float = 2.0
    retention_weight: float = 0.2
    support_weight: float = 0.6
    gist_turns: int = 3
    gist_weight: float = 0.25
    gist_top: int = 8
    party_focus: bool = True


# (query, reference time on demand) -> the [start, end) intervals its time expressions mean
TimeFinder = Callable[[str, Callable[[], datetime | None]], Sequence[tuple[datetime, datetime]]]
NO_WEIGHT = 1e-4  # BM25 scores at or below this come from words with clamped IDF only
FOCUS_ROLES = frozenset({"speaker", "named", "pronoun", "subject"})
OWN_ROLES = frozenset({"speaker", "subject"})  # said by the entity, or a fact about it


class Retriever:
    """Composes whatever search capabilities the store has into ranked hits.

    Args:
        store: where memories live; its capabilities decide the signals.
        embedder: embeds queries (the same model as the stored vectors).
        settings: knobs.
        find_times: resolves a query's time expressions into ``[start, end)``
            intervals against a reference time it asks for only when needed
            (``None``: no time signal).
    """

    def __init__(
        self,
        store: MemoryStore,
        embedder: Embedder,
        settings: RetrievalSettings | None = None,
        find_times: TimeFinder | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or RetrievalSettings()
        self.find_times = find_times

    def search(
        self,
        query: str,
        scope: Scope,
        flt: Filter | None,
        *,
        k: int,
        budget_tokens: int | None = None,
        as_of: datetime | None = None,
        now: datetime | None = None,
        retention_at: datetime | None = None,
    ) -> list[Hit]:
        """The best ``k`` memories for ``query`` within ``scope``, explained.

        Args:
            query: natural-language query.
            scope: the namespace to search; nothing outside it is returned.
            flt: an optional parsed metadata filter.
            k: maximum number of hits.
            budget_tokens: if given, the hits' texts together fit in this many tokens.
            as_of: search what was true at this time (superseded facts included
                while they were valid, later memories excluded).
            now: the reference for relative times in the query when ``as_of`` is
                not given (default: the last event in scope).
            retention_at: the current time: memories expired by then are left out,
                and retention is measured at it (``None``: neither).
        """
        s = self.settings
        known = self.store.entities(scope) if isinstance(self.store, GraphStore) else []
        by_name = entities_in_query(query, known)
        # who the question is about is the entity focus's job; the dense query asks what
        vector = self.embedder.embed(without_names(query, by_name))
        parties = parties_in_query(query, scope, known) if s.party_focus else []
        named = by_name + [e for e in parties if e not in by_name]
        # gists have their own, small candidate list (dense: a gist's vector is its
        # turns' centroid), so they neither crowd the turns' lists nor slow their scans
        direct = _asks_for_kind(flt)
        evidence = flt if direct else _and(flt, Cond("kind", "ne", "summary", column=True))
        ranked = self._candidates(query, vector, scope, evidence, as_of)
        if not direct:
            gists = _and(flt, Cond("kind", "eq", "summary", column=True))
            ranked["gist"] = self._dense(vector, scope, gists, as_of)[: s.gist_top]
        windows = self._time_windows(query, scope, as_of or now)
        # the user is linked to everything they ever mentioned: no constraint on answers
        graph = self._graph_candidates(query, vector, by_name, known)
        if graph:
            ranked["graph"] = graph
        relations = self._relation_candidates(query, named, scope, as_of)
        if relations:
            ranked["relation"] = relations
        for number, (start, end) in enumerate(windows):
            window = _within(evidence, start, end)
            ranked[f"time{number}"] = self._dense(vector, scope, window, as_of)
        weights = {
            "lexical": s.lexical_weight,
            "dense": s.dense_weight,
            "graph": s.graph_weight,
            "relation": s.relation_weight,
            "gist": s.dense_weight,
        }
        weights.update({name: s.dense_weight for name in ranked if name.startswith("time")})
        fused = rrf(ranked, k=s.rrf_k, weights=weights)
        for entry in fused:  # one "time" reason, whichever window found it
            entry.signals = [
                Signal("time", sig.rank, sig.score) if sig.name.startswith("time") else sig
                for sig in entry.signals
            ]
        memories = self.store.get_many([f.id for f in fused])
        if not direct:
            fused = self._drill_down(fused, memories, vector)
        if s.neighbour_window > 0:
            head = fused[: s.expand_top]
            around = self.store.neighbours(
                [memories[f.id] for f in head if f.id in memories], s.neighbour_window
            )
            expanded = expand_neighbours(
                head,
                memories,
                lambda m: around.get(m.id, []),
                decay=s.neighbour_decay,
                context_decay=s.context_decay,
            )
            seen = {f.id for f in expanded}
            fused = expanded + [f for f in fused if f.id not in seen]
        self._focus(named, fused)
        _boost({i for i, _ in graph}, fused, s.graph_boost)
        self._boost_times(fused, memories, windows)
        if retention_at is not None:
            _weigh_retention(fused, memories, retention_at, s.retention_weight)
        pool_support(fused, memories, s.support_weight)
        fused.sort(key=lambda f: -f.score)
        # neighbours come from the session log, so they are checked against the filter here
        hits = [
            Hit(memories[f.id], f.score, tuple(f.signals), ())
            for f in fused
            if f.id in memories
            and scope.contains(memories[f.id].scope)  # drill-downs and neighbours too
            and matches(flt, memories[f.id])
            and (as_of is None or valid_at(memories[f.id], as_of))
            and not _expired(memories[f.id], retention_at)
        ]
        hits = _without_repeats(hits)[:k]
        if budget_tokens is not None:
            hits = within_budget(hits, budget_tokens, lambda h: count_tokens(h.memory.text))
        return self._with_sources(hits)

    def _candidates(
        self,
        query: str,
        vector: Vector,
        scope: Scope,
        flt: Filter | None,
        as_of: datetime | None,
    ) -> dict[str, list[ScoredId]]:
        n = self.settings.candidates
        ranked: dict[str, list[ScoredId]] = {}
        caps = self.store.capabilities
        if caps.keyword and isinstance(self.store, KeywordIndex):
            lexical = self.store.keyword_search(query_terms(query), scope, flt, n, as_of=as_of)
            # FTS5 gives a word in half the scope or more (a speaker's name) a near-zero
            # weight; a match on such words alone is no evidence, even in a tiny scope
            floor = max(
                self.settings.lexical_floor * (lexical[0][1] if lexical else 0.0), NO_WEIGHT
            )
            ranked["lexical"] = _in_order([(i, s) for i, s in lexical if s >= floor])
        ranked["dense"] = self._dense(vector, scope, flt, as_of)
        return ranked

    def _dense(
        self, vector: Vector, scope: Scope, flt: Filter | None, as_of: datetime | None
    ) -> list[ScoredId]:
        if not (self.store.capabilities.vector and isinstance(self.store, VectorIndex)):
            return []
        return _in_order(
            self.store.vector_search(vector, scope, flt, self.settings.candidates, as_of=as_of)
        )

    def _drill_down(
        self, fused: list[Fused], memories: dict[str, MemoryRecord], vector: Vector
    ) -> list[Fused]:
        """Replace each gist by its turns closest to the query (gists are not evidence)."""
        gists = [f for f in fused[: self.settings.gist_top] if _is_gist(memories.get(f.id))]
        if not gists:
            return [f for f in fused if not _is_gist(memories.get(f.id))]
        members = {g.id: memories[g.id].sources for g in gists}
        vectors = self.store.vectors_of(list({i for ids in members.values() for i in ids}))
        kept = {f.id: f for f in fused if not _is_gist(memories.get(f.id))}
        for found in gists:
            closest = _closest(members[found.id], vectors, vector)[: self.settings.gist_turns]
            for rank, (turn_id, _) in enumerate(closest, start=1):
                entry = kept.setdefault(turn_id, Fused(turn_id, 0.0))
                entry.score += found.score * self.settings.gist_weight
                entry.signals.append(Signal("gist", rank, found.score, via=found.id))
        missing = [i for i in kept if i not in memories]
        memories.update(self.store.get_many(missing))
        return sorted(kept.values(), key=lambda f: -f.score)

    def _time_windows(
        self, query: str, scope: Scope, reference: datetime | None
    ) -> list[tuple[datetime, datetime]]:
        """The intervals the query's time expressions refer to."""
        if self.find_times is None:
            return []
        return list(self.find_times(query, lambda: reference or self.store.latest_time(scope)))

    def _graph_candidates(
        self, query: str, vector: Vector, named: list[Entity], known: list[Entity]
    ) -> list[ScoredId]:
        """Memories mentioning entities of the kind the query asks for, near its entities.

        "Which cities have both Ana and Ben visited?" asks for places: the places
        linked to the most of the named entities (Rome, by both) are the answer
        candidates, and the memories in which a named entity tells of one (or
        a fact about it names one) are the evidence, closest to the query first.
        """
        kinds = kinds_asked_for(query)
        if not kinds or not named or not isinstance(self.store, GraphStore):
            return []
        wanted = {e.id for e in known if e.kind in kinds}
        if not wanted:
            return []
        people = {e.id for e in named}
        answers = self.store.mentions(entity_ids=list(wanted))
        memory_ids = list({m.memory_id for m in answers})
        about = self.store.mentions(entity_ids=list(people), memory_ids=memory_ids)
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
        best = [i for i, n in scored.items() if n == top and n > 0]
        return _closest(best, self.store.vectors_of(best), vector)[: self.settings.candidates]

    def _relation_candidates(
        self, query: str, named: list[Entity], scope: Scope, as_of: datetime | None
    ) -> list[ScoredId]:
        """The facts stating what the query asks of the people it names, newest first.

        "Where does Ana work now?" asks for ``works_at`` and ``job``: Ana's facts with
        those predicates that are true now (with ``as_of``: that were true then).
        """
        predicates = predicates_asked_for(query)
        people = [e.id for e in named if e.kind == "person"]
        if not predicates or not people or not isinstance(self.store, GraphStore):
            return []
        found = [
            r
            for r in self.store.relations(scope, entity_ids=people, current_only=as_of is None)
            if r.predicate in predicates and r.subject_id in people and _held(r, as_of)
        ]
        found.sort(key=lambda r: r.valid_from or datetime.min.replace(tzinfo=UTC))
        return [(r.fact_id, 1.0) for r in reversed(found)][: self.settings.candidates]

    def _focus(self, named: list[Entity], fused: list[Fused]) -> None:
        """Favour memories about the entities the query names; say so in ``why``."""
        if not named or not isinstance(self.store, GraphStore):
            return
        about: dict[str, tuple[str, bool]] = {}  # memory -> (entity, said by it / about it)
        candidates = [f.id for f in fused]
        for mention in self.store.mentions(entity_ids=[e.id for e in named], memory_ids=candidates):
            found = about.get(mention.memory_id)
            if mention.role in FOCUS_ROLES and (found is None or not found[1]):  # own wins
                about[mention.memory_id] = (mention.entity_id, mention.role in OWN_ROLES)
        names = {e.id: e.name for e in named}
        for entry in fused:
            if entry.id not in about:
                entry.score *= self.settings.entity_penalty
                continue
            entity_id, own = about[entry.id]
            entry.signals.append(Signal("entity", 1, 1.0, via=names[entity_id]))
            if not own:
                entry.score *= self.settings.mention_weight

    def _boost_times(
        self,
        fused: list[Fused],
        memories: dict[str, MemoryRecord],
        windows: list[tuple[datetime, datetime]],
    ) -> None:
        for entry in fused:
            memory = memories.get(entry.id)
            if memory is None or not any(a <= memory.occurred_at < b for a, b in windows):
                continue
            entry.score *= self.settings.time_boost
            if not any(sig.name == "time" for sig in entry.signals):
                entry.signals.append(Signal("time", 0, 1.0))

    def _with_sources(self, hits: list[Hit]) -> list[Hit]:
        wanted = {s for h in hits for s in h.memory.sources}
        found = self.store.get_many(list(wanted)) if wanted else {}
        return [Hit(h.memory, h.score, h.why, _sources(h.memory, found)) for h in hits]


def _in_order(found: list[ScoredId]) -> list[ScoredId]:
    """Best first; equal scores by id, so that every backend ranks ties alike.

    Scores are compared to 6 places: one backend computes in float32, another in float64.
    """
    return sorted(found, key=lambda pair: (-round(pair[1], 6), pair[0]))


def _held(relation: Relation, at: datetime | None) -> bool:
    """Whether ``relation`` was true at ``at`` (``None``: it is true now)."""
    if at is None:
        return relation.valid_to is None
    started = relation.valid_from is None or relation.valid_from <= at
    return started and (relation.valid_to is None or at < relation.valid_to)


def _closest(ids: Sequence[str], vectors: dict[str, Vector], vector: Vector) -> list[ScoredId]:
    """``ids`` that have a vector, by descending cosine to ``vector`` (all are unit length)."""
    probe = np.asarray(vector, dtype=np.float32)
    scored = [(i, float(np.dot(vectors[i], probe))) for i in ids if i in vectors]
    return sorted(scored, key=lambda pair: -pair[1])


def _is_gist(memory: MemoryRecord | None) -> bool:
    return memory is not None and memory.kind is MemoryKind.SUMMARY


def _asks_for_kind(flt: Filter | None) -> bool:
    """Whether the filter names a kind (then gists it asks for are returned as they are)."""
    if flt is None:
        return False
    if isinstance(flt, Cond):
        return flt.column and flt.field == "kind"
    if isinstance(flt, Not):
        return _asks_for_kind(flt.item)
    return any(_asks_for_kind(item) for item in flt.items)


def _boost(ids: set[str], fused: list[Fused], factor: float) -> None:
    for entry in fused:
        if entry.id in ids:
            entry.score *= factor


def _without_repeats(hits: list[Hit]) -> list[Hit]:
    """Drop hits whose every source turn already ranks above them.

    A turn below a fact drawn from it adds nothing (the fact's hit carries the
    turn as its source), nor does a fact below its own turn.
    """
    shown: set[str] = set()
    kept = []
    for hit in hits:
        evidence = set(evidence_of(hit.memory))
        if not evidence <= shown:
            kept.append(hit)
        shown |= evidence
    return kept


def _within(flt: Filter | None, start: datetime, end: datetime) -> Filter:
    """``flt`` and "happened in ``[start, end)``"."""
    window = And(
        (
            Cond("occurred_at", "gte", start.isoformat(), column=True),
            Cond("occurred_at", "lt", end.isoformat(), column=True),
        )
    )
    return _and(flt, window)


def _and(flt: Filter | None, extra: Filter) -> Filter:
    return extra if flt is None else And((flt, extra))


def _sources(memory: MemoryRecord, found: dict[str, MemoryRecord]) -> tuple[MemoryRecord, ...]:
    if memory.kind is MemoryKind.EPISODE:
        return (memory,)
    tenant = memory.scope.tenant_id  # a source is never shown across a tenant
    return tuple(
        found[s] for s in memory.sources if s in found and found[s].scope.tenant_id == tenant
    )


def _expired(memory: MemoryRecord, at: datetime | None) -> bool:
    return at is not None and memory.expires_at is not None and memory.expires_at <= at


def _weigh_retention(
    fused: list[Fused], memories: dict[str, MemoryRecord], at: datetime, weight: float
) -> None:
    """Favour well-retained memories a little; name the signal when it is strong."""
    for entry in fused:
        memory = memories.get(entry.id)
        if memory is None:
            continue
        kept = retention(memory, at)
        entry.score *= 1 + weight * kept
        if kept >= 0.5 and memory.last_used_at is not None:
            entry.signals.append(Signal("retention", 0, kept))
