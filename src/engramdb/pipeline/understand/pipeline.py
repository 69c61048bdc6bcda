"""Understanding as a pipeline stage: analyse episodes, then write facts and the graph.

:func:`understand` runs before the transaction (no store access: it only reads
the episodes); :func:`apply_understanding` runs inside it, after the episodes
and facts are inserted, and links entities, records mentions and relations, and
supersedes facts that are no longer true.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from engramdb.model.graph import EntityMention, Relation
from engramdb.model.ids import new_id
from engramdb.model.memory import MemoryKind, MemoryRecord, MemoryStatus, Scope, role_name
from engramdb.pipeline.understand.analyze import Analyzer, FactFound, TurnInput
from engramdb.pipeline.understand.courtesy import is_courtesy
from engramdb.pipeline.understand.entities import Mention
from engramdb.pipeline.understand.link import EntityLinker, entity_scope
from engramdb.pipeline.understand.truth import superseded_by
from engramdb.ports.store import GraphStore, MemoryStore

__all__ = ["Understood", "apply_understanding", "understand"]

PARSED_CONFIDENCE = 0.7
RULES_CONFIDENCE = 0.5
#: a long turn (a pasted document, a story) is read closely up to here; past it, lists
#: and code state few facts about anyone and cost most of the parse
HEAD_CHARS = 1200
#: an assistant's answer says what it understood of the user in its opening lines; the
#: recipe, list or code after them is found by search over the verbatim turn
ANSWER_HEAD_CHARS = 400


@dataclass(frozen=True, slots=True)
class Understood:
    """One episode with its reading, mentions and the facts drawn from it."""

    episode: MemoryRecord
    mentions: tuple[Mention, ...]
    facts: tuple[tuple[MemoryRecord, FactFound], ...]
    passages: tuple[MemoryRecord, ...] = ()

    @property
    def fact_memories(self) -> list[MemoryRecord]:
        """The fact memories drawn from the episode."""
        return [fact for fact, _ in self.facts]

    @property
    def derived(self) -> list[MemoryRecord]:
        """What to store beside the episode: its facts, then its passages."""
        return [*self.fact_memories, *self.passages]


def speaker_name(episode: MemoryRecord) -> str | None:
    """Who "I" is: the message's name, else a name for its role (:func:`role_name`)."""
    return episode.speaker or role_name(episode.role, episode.scope)


def head_of(text: str, role: str | None = None) -> str:
    """The part of a turn that is parsed.

    All of it, or its first ``HEAD_CHARS`` characters (``ANSWER_HEAD_CHARS`` for an
    assistant's turn), cut at the last sentence or line end before them.
    """
    limit = ANSWER_HEAD_CHARS if role == "assistant" else HEAD_CHARS
    if len(text) <= limit:
        return text
    cut = max(text.rfind(end, 0, limit) for end in (". ", "! ", "? ", "\n"))
    return text[: cut + 1] if cut > 0 else text[:limit]


def understand(
    analyzer: Analyzer, episodes: Sequence[MemoryRecord], now: datetime
) -> list[Understood]:
    """Analyse one conversation's new episodes (in order) into readings, mentions and facts."""
    speakers = [speaker_name(e) for e in episodes]
    distinct = list(dict.fromkeys(s for s in speakers if s))
    heads = [head_of(e.text, e.role) for e in episodes]
    inputs = [
        TurnInput(head, s, e.occurred_at, _addressee(s, distinct))
        for e, s, head in zip(episodes, speakers, heads, strict=True)
    ]
    confidence = PARSED_CONFIDENCE if analyzer.parser.has_dependencies else RULES_CONFIDENCE
    results = []
    analyses = analyzer.analyze(inputs, distinct)
    for episode, speaker, head, analysis in zip(episodes, speakers, heads, analyses, strict=True):
        facts = tuple(
            (_fact_memory(episode, found, now, confidence, analyzer.parser.name), found)
            for found in analysis.facts
            if not _courtesy(episode, speaker, found)
        )
        tail = episode.text[len(head) :]  # kept verbatim
        whole = analysis.reading + tail
        reading = whole if whole != episode.text else None
        results.append(Understood(replace(episode, reading=reading), analysis.mentions, facts))
    return results


def _courtesy(episode: MemoryRecord, speaker: str | None, found: FactFound) -> bool:
    """Whether ``found`` is an assistant's courtesy (see :mod:`.courtesy`): not a fact."""
    return episode.role == "assistant" and speaker is not None and is_courtesy(found.draft, speaker)


def _addressee(speaker: str | None, participants: list[str]) -> str | None:
    """In a two-party conversation, "you" is the other participant."""
    others = [p for p in participants if p != speaker]
    return others[0] if len(others) == 1 else None


def _fact_memory(
    episode: MemoryRecord, found: FactFound, now: datetime, confidence: float, extractor: str
) -> MemoryRecord:
    when = found.when
    happened = when.start if when is not None else episode.occurred_at
    metadata: dict[str, Any] = {
        "subject": found.draft.subject,
        "predicate": found.draft.predicate,
        "object": found.draft.object,
        "extractor": extractor,
    }
    if when is not None:
        metadata["when"] = when.as_dict()
    return MemoryRecord(
        id=new_id(now),
        kind=MemoryKind.FACT,
        text=found.draft.text,
        scope=episode.scope,
        occurred_at=happened,
        recorded_at=now,
        metadata=metadata,
        valid_from=happened,
        sources=(episode.id,),
        confidence=confidence,
        importance=episode.importance,
        expires_at=episode.expires_at,  # a fact lives no longer than what it was drawn from
    )


def apply_understanding(
    store: Any,
    items: Sequence[Understood],
    scope: Scope,
    now: datetime,
    actor: str,
    decided: Mapping[str, set[str]] | None = None,
    linker: EntityLinker | None = None,
) -> None:
    """Link entities, record mentions and relations, supersede what is no longer true.

    Runs inside the caller's transaction, after the episodes and facts exist. Which
    current facts a new fact supersedes is the truth rules' call, unless ``decided``
    (new fact id -> old fact ids, e.g. judged by an LLM) says it for that fact.
    A ``linker`` of the scope's entities may be passed on from an earlier call in
    the same transaction (the entities are then not read again).
    """
    assert isinstance(store, GraphStore)
    assert isinstance(store, MemoryStore)
    linker = linker or EntityLinker(store.entities(scope))
    current: dict[str, list[Relation]] = {}  # each subject's current relations, kept up to date
    # the store keeps the first role of a repeated (entity, memory) pair
    mentions: list[EntityMention] = []
    for item in items:
        for mention in item.mentions:
            entity = linker.link(mention, scope, now)
            mentions.append(EntityMention(entity.id, item.episode.id, mention.role))
        for fact, found in item.facts:
            subject = linker.link(Mention(found.draft.subject, "person", "subject"), scope, now)
            mentions.append(EntityMention(subject.id, fact.id, "subject"))
            target = linker.find(found.draft.object) if found.draft.object else None
            if target is not None:
                mentions.append(EntityMention(target.id, fact.id, "named"))
            store.save_entities(linker.take_changed())  # relations refer to them
            relation = Relation(
                new_id(now), subject.id, found.draft.predicate, found.draft.object, fact.id,
                entity_scope(scope), target.id if target else None, fact.valid_from,
            )  # fmt: skip
            if subject.id not in current:
                current[subject.id] = [
                    r
                    for r in store.relations(scope, entity_ids=[subject.id], current_only=True)
                    if r.subject_id == subject.id
                ]
            if decided is not None and fact.id in decided:
                ended = [r for r in current[subject.id] if r.fact_id in decided[fact.id]]
            else:
                ended = superseded_by(relation, current[subject.id])
            _supersede(store, ended, fact, now, actor)
            store.add_relations([relation])
            gone = {r.fact_id for r in ended}  # end_relations ends every relation of a fact
            current[subject.id] = [r for r in current[subject.id] if r.fact_id not in gone]
            current[subject.id].append(relation)
    store.save_entities(linker.take_changed())
    store.add_mentions(mentions)


def _supersede(
    store: Any, ended: Sequence[Relation], fact: MemoryRecord, now: datetime, actor: str
) -> None:
    """Mark the facts behind ``ended`` superseded by ``fact``; keep them in history."""
    until = fact.valid_from or fact.occurred_at
    olds = store.get_many([r.fact_id for r in ended])
    for relation in ended:
        old = olds.get(relation.fact_id)
        if old is not None and old.status is MemoryStatus.ACTIVE:
            store.replace(
                replace(
                    old,
                    status=MemoryStatus.SUPERSEDED,
                    valid_to=until,
                    superseded_by=fact.id,
                    version=old.version + 1,
                ),
                None,
                actor,
                now,
            )
        store.end_relations(relation.fact_id, until)
