"""The hybrid retriever: gather candidates, fuse them, expand, re-rank, filter, budget.

The parts are small units with their own settings and weight: the candidate sources in
:mod:`engramdb.retrieval.sources` (lexical, dense, gist, graph, relation, time) and the
steps after fusion in :mod:`engramdb.retrieval.rerank` (gist drill-down, contiguity, entity
focus, graph and time boosts, retention, support). :func:`default_parts` builds them from
:class:`RetrievalSettings`; a :class:`Retriever` can be given others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from engramdb.model.filters import Cond, Filter, Not, matches
from engramdb.model.memory import MemoryKind, MemoryRecord, Scope, valid_at
from engramdb.model.query import Hit
from engramdb.ports.embedder import Embedder
from engramdb.ports.store import GraphStore, MemoryStore
from engramdb.retrieval import rerank, sources
from engramdb.retrieval.budget import count_tokens, within_budget
from engramdb.retrieval.evidence import evidence_of
from engramdb.retrieval.excerpts import Excerpts
from engramdb.retrieval.focus import entities_in_query, parties_in_query, without_names
from engramdb.retrieval.fusion import Fused, rrf
from engramdb.retrieval.parts import Probing, Search, Source, Step, and_

__all__ = ["RetrievalSettings", "Retriever", "default_parts"]


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
        time_said: a fact also counts as within it when the turn it was drawn from was
            said then ("I mentioned a cake two days ago": baked last week, said then).
        recency_weight: for a question about what is true now ("Where do I live?") or
            at ``as_of``, the oldest of the ``recency_top`` best candidates has its score
            multiplied by ``1 - recency_weight``, the newest by 1 (0 disables).
        recency_top: how many of the best candidates are ordered by when they were said.
        answer_boost: when the query asks for an amount of money, candidates that state
            one have their score multiplied by this.
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
            only those ranked this high in the fused list are opened. 0 (the default)
            leaves gists out of search: on LongMemEval, where every haystack holds
            sessions on the question's topic that do not answer it, the turns they
            stood for cost recall@10 0.014, for 0.002 gained on LoCoMo.
        party_focus: a question's "I" and "you" name the user and the assistant, so
            the entity focus favours what the one asked about said.
        quote_weight: weight in fusion of each quoted thing's own lexical list, when
            the query quotes two things or more (0 leaves quotes to the lexical list).
        passage_weight: a long turn scores at least its best passage's score times
            this; that passage is what its hit shows (see
            :mod:`~engramdb.retrieval.excerpts`).
    """

    candidates: int = 80
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
    time_said: bool = True
    recency_weight: float = 0.3
    recency_top: int = 5
    answer_boost: float = 1.5
    graph_weight: float = 1.0
    graph_boost: float = 1.5
    relation_weight: float = 2.0
    retention_weight: float = 0.2
    support_weight: float = 0.8
    gist_turns: int = 3
    gist_weight: float = 0.25
    gist_top: int = 0
    party_focus: bool = True
    passage_weight: float = 0.3
    quote_weight: float = 1.0


# (query, reference time on demand) -> the [start, end) intervals its time expressions mean
TimeFinder = Callable[[str, Callable[[], datetime | None]], Sequence[tuple[datetime, datetime]]]
GISTS_APART = Cond("kind", "ne", "summary", column=True)


def default_parts(settings: RetrievalSettings) -> tuple[list[Source], list[Step]]:
    """The candidate sources, and the steps after fusion in order, set as ``settings`` says."""
    s = settings
    found: list[Source] = [
        sources.Lexical(weight=s.lexical_weight, floor=s.lexical_floor),
        sources.Quoted(weight=s.quote_weight, floor=s.lexical_floor),
        sources.Dense(weight=s.dense_weight),
        sources.Gist(weight=s.dense_weight, top=s.gist_top),
        sources.Graph(weight=s.graph_weight),
        sources.Relations(weight=s.relation_weight),
        sources.Time(weight=s.dense_weight),
    ]
    steps: list[Step] = [
        Excerpts(weight=s.passage_weight),
        rerank.DrillDown(turns=s.gist_turns, weight=s.gist_weight, top=s.gist_top),
        rerank.Contiguity(
            window=s.neighbour_window,
            decay=s.neighbour_decay,
            context_decay=s.context_decay,
            top=s.expand_top,
        ),
        rerank.Focus(penalty=s.entity_penalty, mention_weight=s.mention_weight),
        rerank.GraphBoost(boost=s.graph_boost),
        rerank.TimeBoost(boost=s.time_boost, said=s.time_said),
        rerank.AnswerType(boost=s.answer_boost),
        rerank.Retention(weight=s.retention_weight),
        rerank.Support(weight=s.support_weight),
        rerank.Recency(weight=s.recency_weight, top=s.recency_top),
    ]
    return found, steps


class Retriever:
    """Composes whatever search capabilities the store has into ranked hits.

    Args:
        store: where memories live; its capabilities decide the signals.
        embedder: embeds queries (the same model as the stored vectors).
        settings: knobs of the default parts.
        find_times: the time parser: resolves a query's time expressions into
            ``[start, end)`` intervals against a reference time it asks for only when
            needed (``None``: no time signal).
        parts: the candidate sources and the steps after fusion (default:
            :func:`default_parts` of ``settings``).
    """

    def __init__(
        self,
        store: MemoryStore,
        embedder: Embedder,
        settings: RetrievalSettings | None = None,
        find_times: TimeFinder | None = None,
        parts: tuple[Sequence[Source], Sequence[Step]] | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.find_times = find_times
        self._default_parts = parts is None
        self._settings = settings or RetrievalSettings()
        self.sources, self.steps = parts or default_parts(self._settings)

    @property
    def settings(self) -> RetrievalSettings:
        """The knobs; setting new ones rebuilds the default parts from them."""
        return self._settings

    @settings.setter
    def settings(self, settings: RetrievalSettings) -> None:
        self._settings = settings
        if self._default_parts:  # parts given by the caller are theirs to change
            self.sources, self.steps = default_parts(settings)

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
        with self.store.pinned():
            search = self._analyse(query, scope, flt, as_of, as_of or now, retention_at)
            search.probe(
                [p for s in self.sources if isinstance(s, Probing) for p in s.probes(search)]
            )
            fused = self._fuse(search)
            ahead = self.settings  # the neighbours of the best are read with them, twice as deep
            search.load(
                [f.id for f in fused], anchors=2 * ahead.expand_top, window=ahead.neighbour_window
            )
            for step in self.steps:
                fused = step.apply(search, fused)
            fused.sort(key=lambda f: -f.score)
            hits = _without_repeats(self._admitted(search, fused))[:k]
            if budget_tokens is not None:
                hits = within_budget(hits, budget_tokens, lambda h: count_tokens(h.memory.text))
            return _with_sources(search, hits)

    def _analyse(
        self,
        query: str,
        scope: Scope,
        flt: Filter | None,
        as_of: datetime | None,
        reference: datetime | None,
        retention_at: datetime | None,
    ) -> Search:
        """The query's vector, the entities it names, the times it means."""
        known = self.store.entities(scope) if isinstance(self.store, GraphStore) else []
        by_name = entities_in_query(query, known)
        # who the question is about is the entity focus's job; the dense query asks what
        vector = self.embedder.embed(without_names(query, by_name))
        parties = parties_in_query(query, scope, known) if self.settings.party_focus else []
        direct = _asks_for_kind(flt)
        return Search(
            store=self.store, text=query, vector=vector, scope=scope, flt=flt,
            evidence=flt if direct else and_(flt, GISTS_APART), direct=direct, as_of=as_of,
            known=known, named=by_name + [e for e in parties if e not in by_name],
            by_name=by_name, windows=self._time_windows(query, scope, reference),
            candidates=self.settings.candidates, retention_at=retention_at,
        )  # fmt: skip

    def _fuse(self, search: Search) -> list[Fused]:
        """Gather every source's lists and fuse them; a signal is named by its source."""
        source_of: dict[str, Source] = {}
        for source in self.sources:
            for name, found in source.gather(search).items():
                search.ranked[name] = found
                source_of[name] = source
        weights = {name: source.weight for name, source in source_of.items()}
        fused = rrf(search.ranked, k=self.settings.rrf_k, weights=weights)
        for entry in fused:  # one "time" reason, whichever window found it
            entry.signals = [
                sig if sig.name == source_of[sig.name].name
                else replace(sig, name=source_of[sig.name].name)
                for sig in entry.signals
            ]  # fmt: skip
        return fused

    def _time_windows(
        self, query: str, scope: Scope, reference: datetime | None
    ) -> list[tuple[datetime, datetime]]:
        """The intervals the query's time expressions refer to."""
        if self.find_times is None:
            return []
        return list(self.find_times(query, lambda: reference or self.store.latest_time(scope)))

    @staticmethod
    def _admitted(search: Search, fused: list[Fused]) -> list[Hit]:
        """The candidates the caller may see (expansion adds ones no list filtered)."""
        memories, at, shown = search.memories, search.retention_at, search.excerpts
        return [
            Hit(memories[shown.get(f.id, f.id)], f.score, tuple(f.signals), ())
            for f in fused
            if f.id in memories
            and search.scope.contains(memories[f.id].scope)
            and matches(search.flt, memories[f.id])
            and (search.as_of is None or valid_at(memories[f.id], search.as_of))
            and not _expired(memories[f.id], at)
        ]


def _with_sources(search: Search, hits: list[Hit]) -> list[Hit]:
    found = search.fetch(list(dict.fromkeys(s for h in hits for s in h.memory.sources)))
    return [Hit(h.memory, h.score, h.why, _sources(h.memory, found)) for h in hits]


def _asks_for_kind(flt: Filter | None) -> bool:
    """Whether the filter names a kind (then gists it asks for are returned as they are)."""
    if flt is None:
        return False
    if isinstance(flt, Cond):
        return flt.column and flt.field == "kind"
    if isinstance(flt, Not):
        return _asks_for_kind(flt.item)
    return any(_asks_for_kind(item) for item in flt.items)


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


def _sources(memory: MemoryRecord, found: dict[str, MemoryRecord]) -> tuple[MemoryRecord, ...]:
    if memory.kind is MemoryKind.EPISODE:
        return (memory,)
    tenant = memory.scope.tenant_id  # a source is never shown across a tenant
    return tuple(
        found[s] for s in memory.sources if s in found and found[s].scope.tenant_id == tenant
    )


def _expired(memory: MemoryRecord, at: datetime | None) -> bool:
    return at is not None and memory.expires_at is not None and memory.expires_at <= at
