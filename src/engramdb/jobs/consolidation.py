"""Consolidation: episode and session gists, near-duplicate facts merged, checkpointed.

Gists form a hierarchy over the same turns: episodes, sessions of several episodes, and
days with episodes from several sessions. The unit of work is a session (or a day). Each
session whose episode log changed since its checkpoint (its count of active turns and
newest id, kept in the store's meta table) is rebuilt in one transaction that also moves
the checkpoint: its old gists go, new ones are written. A crash loses at most the session
in progress, and a second run finds nothing to do. Facts are merged per owner (user /
agent / tenant), again in one transaction with a checkpoint: only facts newer than it are
compared with the rest.

A merge never loses anything: the earliest fact keeps the union of the sources (and is
strengthened, as a repeated mention), and the duplicate is archived (restorable) with
``superseded_by`` pointing at the kept fact; both changes are events in the history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any

import numpy as np

from engramdb.model.filters import And, Cond, Filter
from engramdb.model.ids import new_id
from engramdb.model.memory import MemoryKind, MemoryRecord, MemoryStatus, Scope
from engramdb.model.retention import reinforced
from engramdb.pipeline.episodes import SegmentSettings, centroid, gist, segment
from engramdb.pipeline.unit_of_work import run_atomically
from engramdb.ports.store import GraphStore, MemoryStore, SessionLog

__all__ = ["DUPLICATE_SIMILARITY", "ConsolidationReport", "consolidate", "owner_of"]

#: facts about the same subject and predicate this similar (cosine) are one fact
DUPLICATE_SIMILARITY = 0.92
#: how many earlier episodes sharing entities a new episode gist links to
RELATED_GISTS = 3
_PAGE = 1000

Progress = Callable[[int, int], None]
GistHook = Callable[[Sequence[MemoryRecord]], None]


@dataclass(slots=True)
class ConsolidationReport:
    """What one run did."""

    sessions: int = 0
    rebuilt_sessions: int = 0
    gists: int = 0
    replaced_gists: int = 0
    merged_facts: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts as a plain dict."""
        return {
            "sessions": self.sessions,
            "rebuilt_sessions": self.rebuilt_sessions,
            "gists": self.gists,
            "replaced_gists": self.replaced_gists,
            "merged_facts": self.merged_facts,
        }


def owner_of(scope: Scope) -> Scope:
    """The scope facts and entities live in: ``scope`` without its session."""
    return replace(scope, session_id=None)


def consolidate(
    store: MemoryStore,
    scope: Scope,
    *,
    now: datetime,
    actor: str,
    settings: SegmentSettings | None = None,
    progress: Progress | None = None,
    on_gists: GistHook | None = None,
) -> ConsolidationReport:
    """Bring the gists and merged facts of ``scope`` up to date (idempotent, resumable).

    ``on_gists`` is called with each batch of new gists inside the transaction that
    writes them (to queue work about them atomically, e.g. abstractive rewrites).
    """
    hook = on_gists or _no_hook
    report = ConsolidationReport()
    logs = store.session_logs(scope)
    report.sessions = len(logs)
    owners = list(dict.fromkeys(owner_of(log.scope) for log in logs))
    # each owner's episode gists, read once and kept up to date as sessions are rebuilt
    episodes_of = {owner: _episode_gists(store, owner) for owner in owners}
    for done, log in enumerate(logs, start=1):
        mark = f"{log.turns}:{log.last_id}"
        key = _checkpoint("session", log.scope)
        if store.get_meta(key) != mark:
            known = episodes_of[owner_of(log.scope)]
            rebuild = partial(
                _rebuild_session, store, log, known, now, actor, settings, (key, mark), hook
            )
            written, removed = run_atomically(store, rebuild)
            report.rebuilt_sessions += 1
            report.gists += len(written)
            report.replaced_gists += removed
            known.update({g.id: g for g in written if g.metadata["level"] == "episode"})
        if progress is not None:
            progress(done, len(logs))
    for owner in owners:
        for day, episodes in _days_of_several_sessions(episodes_of[owner].values()).items():
            key = f"{_checkpoint('day', owner)}:{day}"
            mark = hashlib.sha256(",".join(sorted(g.id for g in episodes)).encode()).hexdigest()
            if store.get_meta(key) != mark:
                checkpoint = (key, mark, day)
                roll_up = partial(
                    _rebuild_day, store, owner, episodes, now, actor, settings, checkpoint, hook
                )
                report.replaced_gists += run_atomically(store, roll_up)
                report.gists += 1
        report.merged_facts += run_atomically(
            store, partial(_merge_facts, store, owner, now, actor)
        )
    return report


def _days_of_several_sessions(
    episodes: Iterable[MemoryRecord],
) -> dict[str, list[MemoryRecord]]:
    """Episode gists by day, for the days with episodes in two sessions or more."""
    by_day: dict[str, list[MemoryRecord]] = {}
    for found in episodes:
        by_day.setdefault(found.occurred_at.date().isoformat(), []).append(found)
    return {
        day: episodes
        for day, episodes in sorted(by_day.items())
        if len({e.scope.session_id for e in episodes}) > 1
    }


def _rebuild_day(
    store: MemoryStore,
    owner: Scope,
    episodes: list[MemoryRecord],
    now: datetime,
    actor: str,
    settings: SegmentSettings | None,
    checkpoint: tuple[str, str, str],
    hook: GistHook,
) -> int:
    """Replace one day's roll-up gist (over every turn of that day's episodes)."""
    key, mark, day = checkpoint
    that_day = And((_of_kind(MemoryKind.SUMMARY), Cond("day", "eq", day)))
    stale = [g.id for g in _listed(store, owner, that_day)]
    if stale:
        store.delete(stale, actor, now)
    ids = list(dict.fromkeys(i for e in episodes for i in e.sources))
    turns = sorted(store.get_many(ids).values(), key=_in_order)
    vectors = store.vectors_of(ids)
    sentences = (settings or SegmentSettings()).rollup_sentences
    entities = sorted({n for e in episodes for n in e.metadata.get("entities", ())})
    rolled = _gist(turns, "day", gist(turns, sentences), now, entities, [])
    rolled = replace(rolled, scope=owner, metadata={**rolled.metadata, "day": day})
    store.insert([rolled], [centroid([vectors[i] for i in ids if i in vectors])], actor)
    hook([rolled])
    store.set_meta(key, mark)
    return len(stale)


def _no_hook(gists: Sequence[MemoryRecord]) -> None:
    """Nothing to do with new gists (no LLM)."""


def _checkpoint(unit: str, scope: Scope) -> str:
    return f"consolidated:{unit}:" + json.dumps(scope.as_dict(), sort_keys=True)


def _of_kind(kind: MemoryKind) -> Cond:
    return Cond("kind", "eq", kind.value, column=True)


def _listed(store: MemoryStore, scope: Scope, flt: Filter) -> Iterator[MemoryRecord]:
    """Active memories of ``scope`` matching ``flt``, in insertion order."""
    cursor = None
    while True:
        page = store.list_page(scope, flt, limit=_PAGE, cursor=cursor, include_inactive=False)
        yield from page.memories
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _episode_gists(store: MemoryStore, owner: Scope) -> dict[str, MemoryRecord]:
    """The owner's episode gists, by id."""
    episodes = And((_of_kind(MemoryKind.SUMMARY), Cond("level", "eq", "episode")))
    return {m.id: m for m in _listed(store, owner, episodes)}


def _rebuild_session(
    store: MemoryStore,
    log: SessionLog,
    known: dict[str, MemoryRecord],
    now: datetime,
    actor: str,
    settings: SegmentSettings | None,
    checkpoint: tuple[str, str],
    hook: GistHook,
) -> tuple[list[MemoryRecord], int]:
    """Replace one session's gists with gists of its current turns; move its checkpoint."""
    s = settings or SegmentSettings()
    key, mark = checkpoint
    stale = [m.id for m in _listed(store, log.scope, _of_kind(MemoryKind.SUMMARY))]
    if stale:
        store.delete(stale, actor, now)
        for gone in stale:
            known.pop(gone, None)
    turns = sorted(_listed(store, log.scope, _of_kind(MemoryKind.EPISODE)), key=_in_order)
    vectors = store.vectors_of([t.id for t in turns])
    names = _entity_names(store, log.scope, [t.id for t in turns])
    episodes = segment(turns, vectors, s)
    gists: list[MemoryRecord] = []
    for episode in episodes:
        entities = sorted({n for t in episode for n in names.get(t.id, ())})
        gists.append(
            _gist(episode, "episode", gist(episode, s.gist_sentences), now, entities,
                  _related(entities, episode, known))
        )  # fmt: skip
    if len(episodes) > 1:
        entities = sorted({n for t in turns for n in names.get(t.id, ())})
        gists.append(_gist(turns, "session", gist(turns, s.rollup_sentences), now, entities, []))
    members = [[t.id for t in episode] for episode in episodes]
    if len(episodes) > 1:
        members.append([t.id for t in turns])
    gist_vectors = [centroid([vectors[i] for i in ids if i in vectors]) for ids in members]
    store.insert(gists, gist_vectors, actor)
    hook(gists)
    store.set_meta(key, mark)
    return gists, len(stale)


def _in_order(turn: MemoryRecord) -> tuple[Any, ...]:
    return (turn.occurred_at, turn.seq if turn.seq is not None else -1, turn.id)


def _entity_names(store: MemoryStore, scope: Scope, ids: list[str]) -> dict[str, set[str]]:
    """Names of the entities each turn mentions, other than by speaking."""
    if not isinstance(store, GraphStore) or not ids:
        return {}
    by_id = {e.id: e.name for e in store.entities(scope)}
    named: dict[str, set[str]] = {}
    for mention in store.mentions(memory_ids=ids):
        if mention.role != "speaker" and mention.entity_id in by_id:
            named.setdefault(mention.memory_id, set()).add(by_id[mention.entity_id])
    return named


def _related(
    entities: list[str], episode: list[MemoryRecord], known: dict[str, MemoryRecord]
) -> list[str]:
    """Earlier episode gists naming the most of these entities (the speakers aside)."""
    speakers = {t.speaker for t in episode}
    wanted = set(entities) - speakers
    shared = [(len(wanted & set(g.metadata["entities"])), i) for i, g in known.items()]
    ranked = sorted(((n, i) for n, i in shared if n), key=lambda p: (-p[0], p[1]))
    return [gist_id for _, gist_id in ranked[:RELATED_GISTS]]


def _gist(
    turns: list[MemoryRecord],
    level: str,
    text: str,
    now: datetime,
    entities: list[str],
    related: list[str],
) -> MemoryRecord:
    first, last = turns[0], turns[-1]
    speakers = list(dict.fromkeys(t.speaker for t in turns if t.speaker))
    metadata = {
        "level": level,
        "start": first.occurred_at.isoformat(),
        "end": last.occurred_at.isoformat(),
        "participants": speakers,
        "entities": entities,
        "turns": len(turns),
        "related": related,
    }
    return MemoryRecord(
        id=new_id(now), kind=MemoryKind.SUMMARY, text=text, scope=first.scope,
        occurred_at=first.occurred_at, recorded_at=now, metadata=metadata,
        sources=tuple(t.id for t in turns),
    )  # fmt: skip


def _merge_facts(store: MemoryStore, owner: Scope, now: datetime, actor: str) -> int:
    """Merge each new fact into an earlier one saying the same; returns how many merged."""
    key = _checkpoint("facts", owner)
    seen = store.get_meta(key) or ""
    facts = sorted(_listed(store, owner, _of_kind(MemoryKind.FACT)), key=lambda f: f.id)
    if not any(f.id > seen for f in facts):
        return 0
    vectors = store.vectors_of([f.id for f in facts])
    kept: dict[tuple[Any, Any], list[MemoryRecord]] = {}
    merged = 0
    for fact in facts:
        about = (fact.metadata.get("subject"), fact.metadata.get("predicate"))
        group = kept.setdefault(about, [])
        index = _same_as(fact, group, vectors) if fact.id > seen and about[0] else None
        if index is None:
            group.append(fact)
            continue
        target = group[index]
        sources = tuple(dict.fromkeys((*target.sources, *fact.sources)))
        # said again: a repeated mention strengthens the memory like a use does
        group[index] = reinforced(replace(target, sources=sources, version=target.version + 1), now)
        store.replace(group[index], None, actor, now)
        gone = replace(fact, status=MemoryStatus.ARCHIVED, superseded_by=target.id,
                       version=fact.version + 1)  # fmt: skip
        store.replace(gone, None, actor, now)
        merged += 1
    store.set_meta(key, facts[-1].id)
    return merged


def _same_as(fact: MemoryRecord, group: list[MemoryRecord], vectors: dict[str, Any]) -> int | None:
    """The position of the earliest fact in ``group`` saying what ``fact`` says."""
    text = " ".join(fact.text.lower().split())
    for index, other in enumerate(group):
        if " ".join(other.text.lower().split()) == text or _similarity(fact, other, vectors) >= (
            DUPLICATE_SIMILARITY
        ):
            return index
    return None


def _similarity(a: MemoryRecord, b: MemoryRecord, vectors: dict[str, Any]) -> float:
    if a.id not in vectors or b.id not in vectors:
        return 0.0
    return float(np.dot(vectors[a.id], vectors[b.id]))
