"""The JSON form of results: hits, pages, entity pages, profiles, contexts, answers."""

from __future__ import annotations

from typing import Any

from engramdb.model.answer import Answer
from engramdb.model.codec.records import (
    entity_from_dict,
    entity_to_dict,
    memory_from_dict,
    memory_to_dict,
    relation_from_dict,
    relation_to_dict,
)
from engramdb.model.context import Context, ContextItem
from engramdb.model.graph import EntityPage
from engramdb.model.lineage import Lineage, Timeline
from engramdb.model.profile import Profile, ProfileValue
from engramdb.model.query import Hit, Page, Signal

__all__ = [
    "answer_from_dict",
    "answer_to_dict",
    "context_from_dict",
    "context_to_dict",
    "entity_page_from_dict",
    "entity_page_to_dict",
    "hit_from_dict",
    "hit_to_dict",
    "lineage_from_dict",
    "lineage_to_dict",
    "page_from_dict",
    "page_to_dict",
    "profile_from_dict",
    "profile_to_dict",
    "timeline_from_dict",
    "timeline_to_dict",
]


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    """A search hit: the memory, its score, the signals behind it and its source turns."""
    return {
        "memory": memory_to_dict(hit.memory),
        "score": hit.score,
        "why": [{"name": s.name, "rank": s.rank, "score": s.score, "via": s.via} for s in hit.why],
        "explanation": hit.explain(),
        "sources": [memory_to_dict(m) for m in hit.sources],
    }


def hit_from_dict(data: dict[str, Any]) -> Hit:
    """Inverse of :func:`hit_to_dict`."""
    return Hit(
        memory=memory_from_dict(data["memory"]),
        score=float(data["score"]),
        why=tuple(
            Signal(s["name"], int(s["rank"]), float(s["score"]), s.get("via")) for s in data["why"]
        ),
        sources=tuple(memory_from_dict(m) for m in data["sources"]),
    )


def page_to_dict(page: Page) -> dict[str, Any]:
    """A page of a listing and the cursor of the next one."""
    return {"memories": [memory_to_dict(m) for m in page.memories], "next_cursor": page.next_cursor}


def page_from_dict(data: dict[str, Any]) -> Page:
    """Inverse of :func:`page_to_dict`."""
    return Page([memory_from_dict(m) for m in data["memories"]], data.get("next_cursor"))


def _records(memories: Any) -> list[dict[str, Any]]:
    return [memory_to_dict(m) for m in memories]


def _from_records(data: Any) -> tuple[Any, ...]:
    return tuple(memory_from_dict(m) for m in data)


def lineage_to_dict(lineage: Lineage) -> dict[str, Any]:
    """A memory with its sources, what derives from it, and the truth it replaced or lost to."""
    return {
        "memory": memory_to_dict(lineage.memory),
        "sources": _records(lineage.sources),
        "derived": _records(lineage.derived),
        "replaced": _records(lineage.replaced),
        "replaced_by": _records(lineage.replaced_by),
    }


def lineage_from_dict(data: dict[str, Any]) -> Lineage:
    """Inverse of :func:`lineage_to_dict`."""
    return Lineage(
        memory=memory_from_dict(data["memory"]),
        sources=_from_records(data["sources"]),
        derived=_from_records(data["derived"]),
        replaced=_from_records(data["replaced"]),
        replaced_by=_from_records(data["replaced_by"]),
    )


def timeline_to_dict(timeline: Timeline) -> dict[str, Any]:
    """A page of turns in time order, what was made of them, and the next page's cursor."""
    return {
        "turns": _records(timeline.turns),
        "derived": _records(timeline.derived),
        "next_cursor": timeline.next_cursor,
    }


def timeline_from_dict(data: dict[str, Any]) -> Timeline:
    """Inverse of :func:`timeline_to_dict`."""
    return Timeline(
        _from_records(data["turns"]), _from_records(data["derived"]), data.get("next_cursor")
    )


def entity_page_to_dict(page: EntityPage) -> dict[str, Any]:
    """An entity with its mentions, facts and relations."""
    return {
        "entity": entity_to_dict(page.entity),
        "mentions": [memory_to_dict(m) for m in page.mentions],
        "facts": [memory_to_dict(m) for m in page.facts],
        "relations": [relation_to_dict(r) for r in page.relations],
        "mention_count": page.mention_count,
        "relation_count": page.relation_count,
    }


def entity_page_from_dict(data: dict[str, Any]) -> EntityPage:
    """Inverse of :func:`entity_page_to_dict`."""
    return EntityPage(
        entity=entity_from_dict(data["entity"]),
        mentions=tuple(memory_from_dict(m) for m in data["mentions"]),
        facts=tuple(memory_from_dict(m) for m in data["facts"]),
        relations=tuple(relation_from_dict(r) for r in data["relations"]),
        mention_count=int(data.get("mention_count", len(data["mentions"]))),
        relation_count=int(data.get("relation_count", len(data["relations"]))),
    )


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """A person's profile: each slot's values with the fact each comes from."""
    return {
        "person": entity_to_dict(profile.person),
        "slots": {
            slot: [
                {"value": v.value, "fact_id": v.fact_id, "predicate": v.predicate} for v in values
            ]
            for slot, values in profile.slots.items()
        },
        "summary": profile.as_dict(),
    }


def profile_from_dict(data: dict[str, Any]) -> Profile:
    """Inverse of :func:`profile_to_dict`."""
    return Profile(
        person=entity_from_dict(data["person"]),
        slots={
            slot: [ProfileValue(v["value"], v["fact_id"], v["predicate"]) for v in values]
            for slot, values in data["slots"].items()
        },
    )


def context_to_dict(context: Context) -> dict[str, Any]:
    """A packed context, its memories in full."""

    def items(section: tuple[ContextItem, ...]) -> list[dict[str, Any]]:
        return [
            {"line": i.line, "cites": list(i.cites), "memory": memory_to_dict(i.memory)}
            for i in section
        ]

    return {
        "query": context.query,
        "budget_tokens": context.budget_tokens,
        "tokens": context.tokens,
        "text": context.text,
        "profile": list(context.profile),
        "facts": items(context.facts),
        "episodes": items(context.episodes),
        "recent": items(context.recent),
        "sources": list(context.sources),
    }


def context_from_dict(data: dict[str, Any]) -> Context:
    """Inverse of :meth:`Context.to_dict <engramdb.retrieval.context.Context.to_dict>`."""

    def items(section: list[dict[str, Any]]) -> tuple[ContextItem, ...]:
        return tuple(
            ContextItem(memory_from_dict(i["memory"]), i["line"], tuple(i["cites"]))
            for i in section
        )

    return Context(
        query=data["query"],
        budget_tokens=int(data["budget_tokens"]),
        profile=tuple(data["profile"]),
        facts=items(data["facts"]),
        episodes=items(data["episodes"]),
        recent=items(data["recent"]),
        text=data["text"],
        tokens=int(data["tokens"]),
        sources=tuple(data["sources"]),
    )


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """An answer with its citations and the context it was given."""
    return {
        "question": answer.question,
        "answer": answer.text,
        "citations": list(answer.citations),
        "sources": list(answer.sources),
        "prompt": answer.prompt,
        "model": answer.model,
        "context": context_to_dict(answer.context),
    }


def answer_from_dict(data: dict[str, Any]) -> Answer:
    """Inverse of :func:`answer_to_dict` (e.g. a server's reply)."""
    return Answer(
        question=data["question"],
        text=data["answer"],
        citations=tuple(data["citations"]),
        sources=tuple(data["sources"]),
        context=context_from_dict(data["context"]),
        prompt=data["prompt"],
        model=data["model"],
    )
