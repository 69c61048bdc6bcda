"""LLM fact extraction and conflict judgement (the ``extract`` job).

The LLM-free path already stored the turns with their reading and rule facts. This
refines it: the model's facts (implicit ones included, third person, absolute dates)
replace the rule facts of those turns, which are archived (kept, restorable), and each
new fact's conflicts with older facts are judged before anything is superseded.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from engramdb.errors import LLMError
from engramdb.model.graph import Entity, Relation, entity_key
from engramdb.model.ids import new_id
from engramdb.model.memory import EventKind, MemoryKind, MemoryRecord, MemoryStatus, Scope
from engramdb.pipeline.llm.aliases import alias_ids, resolve_aliases
from engramdb.pipeline.llm.runner import LLMRunner
from engramdb.pipeline.llm.schemas import ExtractedFact, ExtractedFacts, Verdicts
from engramdb.pipeline.understand.analyze import FactFound
from engramdb.pipeline.understand.facts import FactDraft
from engramdb.pipeline.understand.link import EntityLinker
from engramdb.pipeline.understand.pipeline import Understood, apply_understanding, speaker_name
from engramdb.pipeline.understand.timex import TimeSpan
from engramdb.pipeline.understand.truth import superseded_by
from engramdb.ports.store import GraphStore, MemoryStore

__all__ = [
    "Extraction",
    "RuleDecisions",
    "extract_facts",
    "judge_conflicts",
    "rule_decisions",
    "store_extraction",
]

LLM_CONFIDENCE = 0.8
CONTEXT_TURNS = 6
MAX_KNOWN_NAMES = 60
MAX_JUDGED = 8


@dataclass(frozen=True, slots=True)
class Extraction:
    """What the model drew from some turns, ready to store."""

    episodes: tuple[MemoryRecord, ...]
    items: tuple[Understood, ...]
    aliases: tuple[tuple[str, str], ...]

    @property
    def facts(self) -> list[MemoryRecord]:
        """The new fact memories."""
        return [fact for item in self.items for fact in item.fact_memories]


def extract_facts(
    runner: LLMRunner, store: MemoryStore, episodes: Sequence[MemoryRecord], now: datetime
) -> Extraction:
    """Ask the model for the facts of ``episodes`` (one session's turns, in order).

    Raises:
        LLMError: the model failed after the call policy's retries.
    """
    table = alias_ids([e.id for e in episodes], "T")
    by_id = {e.id: e for e in episodes}
    first = episodes[0]
    around = store.neighbours([first], CONTEXT_TURNS).get(first.id, [])
    earlier = [t for t in around if (t.seq or 0) < (first.seq or 0)]
    known = _known_names(store, first.scope)
    output, prompt_id = runner.ask(
        "extract_facts",
        ExtractedFacts,
        known=", ".join(known) or "(none yet)",
        context="\n".join(_turn_line(t) for t in earlier) or "(none)",
        turns="\n".join(f"{alias} {_turn_line(by_id[i])}" for alias, i in table.items()),
        check=lambda answer: _check_citations(answer, table),
    )
    extractor = f"llm:{runner.model.name}"
    grouped: dict[str, list[tuple[MemoryRecord, FactFound]]] = {}
    for found in output.facts:
        sources = resolve_aliases(found.sources, table)
        fact = _fact_memory(found, [by_id[i] for i in sources], now, extractor, prompt_id)
        draft = FactDraft(found.text, found.subject, found.predicate, found.object)
        grouped.setdefault(sources[0], []).append((fact, FactFound(draft, _span(found.when))))
    items = tuple(
        Understood(by_id[i], (), tuple(grouped[i])) for i in table.values() if i in grouped
    )
    aliases = tuple((a.alias, a.name) for a in output.aliases)
    return Extraction(tuple(episodes), items, aliases)


def _check_citations(answer: ExtractedFacts, table: Mapping[str, str]) -> None:
    """Every fact cites turns of the prompt, and only those; else the answer is invalid.

    An answer citing turns that do not exist is a schema failure (retried, then the job
    fails, visible in ``jobs``), never a job done with facts silently dropped.

    Raises:
        ValueError: a fact cites no turn, or one that was not in the prompt.
    """
    for number, found in enumerate(answer.facts, start=1):
        cited = [str(alias) for alias in found.sources]
        unknown = [alias for alias in cited if not resolve_aliases([alias], table)]
        if not cited or unknown:
            raise ValueError(
                f"fact {number} cites turns that are not in the prompt: {unknown or 'none'}"
            )


@dataclass(frozen=True, slots=True)
class RuleDecisions:
    """What the LLM-free path decided about some turns, which the model's facts replace.

    Attributes:
        rule_facts: the active rule facts drawn from the turns.
        reopened: the facts those rule facts superseded, by id: the model judges
            them afresh, so they count as current again.
    """

    rule_facts: tuple[str, ...]
    reopened: dict[str, MemoryRecord]


def rule_decisions(store: MemoryStore, episodes: Sequence[MemoryRecord]) -> RuleDecisions:
    """The rule facts of ``episodes`` and the facts they superseded."""
    assert isinstance(store, GraphStore)
    derived = store.get_many(store.derived_ids([e.id for e in episodes])).values()
    rule = [
        m
        for m in derived
        if m.kind is MemoryKind.FACT
        and m.status is MemoryStatus.ACTIVE
        and not str(m.metadata.get("extractor", "")).startswith("llm:")
    ]
    ids = {m.id for m in rule}
    scope = episodes[0].scope
    linker = EntityLinker(store.entities(scope))
    subjects = {linker.find(str(m.metadata.get("subject", ""))) for m in rule}
    entity_ids = [e.id for e in subjects if e is not None]
    ended = [r.fact_id for r in store.relations(scope, entity_ids=entity_ids) if r.valid_to]
    olds = store.get_many(ended) if entity_ids else {}
    reopened = {
        i: m
        for i, m in olds.items()
        if m.status is MemoryStatus.SUPERSEDED and m.superseded_by in ids
    }
    return RuleDecisions(tuple(sorted(ids)), reopened)


def judge_conflicts(
    runner: LLMRunner, store: MemoryStore, extraction: Extraction, scope: Scope
) -> dict[str, set[str]]:
    """For each new fact with older facts that might conflict, the ones it supersedes.

    Candidates are the subject's current facts with the same predicate and another
    value, and those the truth rules would end; facts that the turns' rule facts
    superseded count as current (the model judges them afresh). A judgement the
    model cannot give (after retries) is left out, so the rules decide that fact.
    """
    assert isinstance(store, GraphStore)
    linker = EntityLinker(store.entities(scope))
    rules = rule_decisions(store, extraction.episodes)
    own = {e.id for e in extraction.episodes}
    pairs: dict[str, list[MemoryRecord]] = {}
    facts: dict[str, MemoryRecord] = {}
    for item in extraction.items:
        for fact, found in item.facts:
            subject = linker.find(found.draft.subject)
            if subject is None:
                continue
            current = [
                replace(r, valid_to=None)
                for r in store.relations(scope, entity_ids=[subject.id])
                if r.fact_id in rules.reopened
                or (r.valid_to is None and r.fact_id not in rules.rule_facts)
            ]
            olds = _candidates(store, fact, found, current, subject.id, own, rules)
            if olds:
                pairs[fact.id], facts[fact.id] = olds, fact
    if not pairs:
        return {}
    try:  # one call judges every new fact of the extraction
        return _judge(runner, facts, pairs)
    except LLMError:
        return {}


def store_extraction(
    store: MemoryStore,
    extraction: Extraction,
    vectors: Sequence[Any],
    decided: dict[str, set[str]],
    *,
    now: datetime,
    actor: str,
) -> None:
    """Write the model's facts in place of the rule facts of the same turns.

    The rule facts are archived (kept, restorable) and what they superseded is made
    current again, then the model's facts are linked and supersede what ``decided``
    (or, for facts not judged, the truth rules) says. Runs inside the caller's
    transaction.
    """
    assert isinstance(store, GraphStore)
    rules = rule_decisions(store, extraction.episodes)
    for old in rules.reopened.values():
        current = replace(
            old, status=MemoryStatus.ACTIVE, valid_to=None, superseded_by=None,
            version=old.version + 1,
        )  # fmt: skip
        store.replace(current, None, actor, now)
        store.reopen_relations(old.id)
    store.insert(extraction.facts, list(vectors), actor)  # the replacements first
    if rules.rule_facts:
        store.set_status(
            list(rules.rule_facts), MemoryStatus.ARCHIVED, EventKind.ARCHIVE, actor, now
        )
        for fact_id in rules.rule_facts:
            store.end_relations(fact_id, now)
    scope = extraction.episodes[0].scope
    apply_understanding(store, extraction.items, scope, now, actor, decided=decided)
    _add_aliases(store, scope, extraction.aliases)


def _candidates(
    store: MemoryStore,
    fact: MemoryRecord,
    found: FactFound,
    current: Sequence[Relation],
    subject_id: str,
    own: set[str],
    rules: RuleDecisions,
) -> list[MemoryRecord]:
    value = entity_key(found.draft.object or "")
    same = [
        r
        for r in current
        if r.subject_id == subject_id
        and r.predicate == found.draft.predicate
        and entity_key(r.object_value or "") != value
    ]
    probe = Relation(
        "probe", subject_id, found.draft.predicate, found.draft.object, fact.id, fact.scope,
        valid_from=fact.valid_from,
    )  # fmt: skip
    ruled = superseded_by(probe, current)
    ids = list(dict.fromkeys(r.fact_id for r in [*same, *ruled]))[:MAX_JUDGED]
    olds = store.get_many(ids)
    return [
        olds[i]
        for i in ids
        if i in olds
        and (olds[i].status is MemoryStatus.ACTIVE or i in rules.reopened)
        and not set(olds[i].sources) & own
    ]


def _judge(
    runner: LLMRunner, facts: dict[str, MemoryRecord], pairs: dict[str, list[MemoryRecord]]
) -> dict[str, set[str]]:
    """Which older facts each new fact ends, by the model's verdicts (one call)."""
    news = alias_ids(list(pairs), "N")
    olds = alias_ids([o.id for candidates in pairs.values() for o in candidates], "F")
    old_alias = {i: a for a, i in olds.items()}
    by_id = {o.id: o for candidates in pairs.values() for o in candidates}
    lines = []
    for alias, fact_id in news.items():
        fact = facts[fact_id]
        lines.append(f"{alias} (learned {fact.occurred_at.date().isoformat()}): {fact.text}")
        lines += [
            f"  {old_alias[o.id]} (from {o.occurred_at.date().isoformat()}): {by_id[o.id].text}"
            for o in pairs[fact_id]
        ]
    verdicts, _ = runner.ask("judge_conflict", Verdicts, pairs="\n".join(lines))
    decided: dict[str, set[str]] = {fact_id: set() for fact_id in pairs}
    for verdict in verdicts.verdicts:
        new = resolve_aliases([verdict.new], news)
        old = resolve_aliases([verdict.fact], olds)
        if new and old and verdict.relation != "independent" and by_id[old[0]] in pairs[new[0]]:
            decided[new[0]].add(old[0])
    return decided


def _known_names(store: MemoryStore, scope: Scope) -> list[str]:
    if not isinstance(store, GraphStore):
        return []
    entities = sorted(store.entities(scope), key=lambda e: e.created_at, reverse=True)
    return sorted(e.name for e in entities[:MAX_KNOWN_NAMES])


def _turn_line(turn: MemoryRecord) -> str:
    who = speaker_name(turn) or turn.role or "someone"
    return f"[{turn.occurred_at.date().isoformat()}] {who}: {turn.text}"


def _span(when: str | None) -> TimeSpan | None:
    """``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY`` as an interval with its precision."""
    if when is None:
        return None
    parts = [int(p) for p in when.split("-")]
    try:
        if len(parts) == 3:
            start = datetime(parts[0], parts[1], parts[2], tzinfo=UTC)
            return TimeSpan(when, start, start + timedelta(days=1), "day")
        if len(parts) == 2:
            start = datetime(parts[0], parts[1], 1, tzinfo=UTC)
            days = calendar.monthrange(parts[0], parts[1])[1]
            return TimeSpan(when, start, start + timedelta(days=days), "month")
        start = datetime(parts[0], 1, 1, tzinfo=UTC)
        return TimeSpan(when, start, datetime(parts[0] + 1, 1, 1, tzinfo=UTC), "year")
    except ValueError:  # 2023-02-30: a date that does not exist is no date
        return None


def _fact_memory(
    found: ExtractedFact,
    sources: Sequence[MemoryRecord],
    now: datetime,
    extractor: str,
    prompt_id: str,
) -> MemoryRecord:
    first = sources[0]
    span = _span(found.when)
    happened = span.start if span is not None else first.occurred_at
    metadata: dict[str, Any] = {
        "subject": found.subject,
        "predicate": found.predicate,
        "object": found.object,
        "extractor": extractor,
        "prompt": prompt_id,
    }
    if span is not None:
        metadata["when"] = span.as_dict()
    return MemoryRecord(
        id=new_id(now),
        kind=MemoryKind.FACT,
        text=found.text,
        scope=first.scope,
        occurred_at=happened,
        recorded_at=now,
        metadata=metadata,
        valid_from=happened,
        sources=tuple(s.id for s in sources),
        confidence=LLM_CONFIDENCE,
        importance=max(s.importance for s in sources),
        expires_at=first.expires_at,
    )


def _add_aliases(store: MemoryStore, scope: Scope, aliases: Sequence[tuple[str, str]]) -> None:
    """Record "Mel" as an alias of the known entity "Melanie" (entity resolution)."""
    if not aliases or not isinstance(store, GraphStore):
        return
    linker = EntityLinker(store.entities(scope))
    changed: dict[str, Entity] = {}
    for alias, name in aliases:
        found = linker.find(name)
        if found is None:
            continue
        entity = changed.get(found.id, found)
        if entity_key(alias) in {entity.key, *map(entity_key, entity.aliases)}:
            continue
        changed[entity.id] = replace(entity, aliases=tuple(sorted({*entity.aliases, alias})))
    if changed:
        store.save_entities(list(changed.values()))
