"""Working memory: pack what is relevant into a ready-to-prompt context within a token budget.

Sections, in prompt order: what is known about the people the query names
(profiles), relevant facts that are true now, relevant conversation (grouped by
day, in time order), and the most recent turns. Selection is by relevance (the
search ranking); display is by time. Nothing appears twice: an episode cited by
an included fact is not repeated, nor a fact whose source turns are all shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from engramdb.model.context import Context, ContextItem
from engramdb.model.memory import MemoryKind, MemoryRecord, Scope
from engramdb.model.query import Hit
from engramdb.ports.store import MemoryStore
from engramdb.retrieval.budget import count_tokens
from engramdb.retrieval.text import query_terms

__all__ = ["Context", "ContextItem", "build_context", "compress", "context_for"]

LONG_TURN = 22  # tokens; longer turns are cut to the sentences that mention the query
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"\w+")
PROFILE_SHARE = 0.10  # at most this share of the budget for profiles
RECENT_SHARE = 0.10  # and for the most recent turns
# Short headers and day lines: every token spent on layout is one less for memories.
HEADERS = {
    "profile": "Known about them:",
    "facts": "Relevant facts, true now:",
    "episodes": "Relevant conversation, by day:",
    "recent": "Latest turns:",
}


def _day(memory: MemoryRecord) -> str:
    when = memory.occurred_at
    return f"{when.day} {when:%b %Y}:"


def _turn_line(memory: MemoryRecord, terms: Sequence[str] = (), context_only: bool = False) -> str:
    who = memory.speaker or memory.role or "someone"
    return f"{who}: {compress(memory.text, terms, context_only=context_only)}"


def compress(
    text: str, terms: Sequence[str], *, long: int = LONG_TURN, context_only: bool = False
) -> str:
    """A long turn cut to its sentences that mention the query's terms ("…" marks a cut).

    Short turns, and turns where no sentence mentions a term (they were found by
    meaning), are kept whole.
    """
    if not terms or count_tokens(text) <= long:
        return text
    sentences = _SENTENCE_END.split(text.strip())
    stems = [t[: max(4, len(t) - 2)] for t in terms]
    keep = [
        any(word.startswith(stem) for word in _WORD.findall(s.lower()) for stem in stems)
        for s in sentences
    ]
    if not any(keep) and context_only:  # a neighbour shown for context: its opening will do
        keep[0] = True
    if not any(keep) or all(keep):
        return text
    parts: list[str] = []
    for sentence, kept in zip(sentences, keep, strict=True):
        if kept:
            parts.append(sentence)
        elif not parts or parts[-1] != "…":
            parts.append("…")
    return " ".join(parts)


def _fact_line(memory: MemoryRecord) -> str:
    return f"- {memory.text}"


class _Packer:
    """Adds lines while the running token count stays within the budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0

    def fits(self, *lines: str, limit: int | None = None) -> bool:
        """Whether ``lines`` fit in the budget (and under ``limit``, a section's share)."""
        ceiling = self.budget if limit is None else min(limit, self.budget)
        return self.used + sum(count_tokens(line) for line in lines) <= ceiling

    def take(self, *lines: str) -> None:
        self.used += sum(count_tokens(line) for line in lines)


def context_for(
    store: MemoryStore,
    query: str,
    hits: Sequence[Hit],
    scope: Scope,
    *,
    budget_tokens: int,
    recent_turns: int,
    as_of: datetime | None = None,
    profiles: Sequence[str] = (),
    names: frozenset[str] = frozenset(),
) -> Context:
    """A query's context: its hits, the scope's latest turns and the people's profiles.

    Args:
        store: where the scope's latest turns are read.
        query: the task or question.
        hits: search results for it, best first.
        scope: whose latest turns.
        budget_tokens: the most tokens the text may have.
        recent_turns: how many of the latest turns.
        as_of: the time the context is built at: later turns are not recent.
        profiles: one line per person the query names.
        names: words of the people's names; they select no sentences of long turns
            (the profiles already say who they are).
    """
    recent = store.recent_episodes(scope, recent_turns) if recent_turns else []
    if as_of is not None:  # what had not happened yet is not recent
        recent = [m for m in recent if m.occurred_at <= as_of]
    return build_context(
        query,
        hits,
        budget_tokens=budget_tokens,
        profiles=profiles,
        recent=recent,
        terms=[t for t in query_terms(query) if t not in names],
    )


def build_context(
    query: str,
    hits: Sequence[Hit],
    *,
    budget_tokens: int,
    profiles: Sequence[str] = (),
    recent: Sequence[MemoryRecord] = (),
    terms: Sequence[str] = (),
) -> Context:
    """Pack profiles, relevant facts and turns, and recent turns into ``budget_tokens``.

    Args:
        query: the task or question.
        hits: search results for it, best first.
        budget_tokens: the most tokens the text may have.
        profiles: one line per person the query names.
        recent: the scope's latest turns, oldest first.
        terms: the query's content words; long relevant turns are cut to the
            sentences that mention them.
    """
    packer = _Packer(budget_tokens)
    profile = _pack_lines(packer, "profile", profiles, int(budget_tokens * PROFILE_SHARE))
    recent_items = _pack_recent(packer, recent, int(budget_tokens * RECENT_SHARE))
    shown = {i.memory.id for i in recent_items}
    facts, episodes = _pack_relevant(packer, hits, shown, terms)
    text = _render(profile, facts, episodes, recent_items)
    cited = [c for section in (facts, episodes, recent_items) for i in section for c in i.cites]
    return Context(
        query=query,
        budget_tokens=budget_tokens,
        profile=tuple(profile),
        facts=tuple(_by_time(facts)),
        episodes=tuple(_by_time(episodes)),
        recent=tuple(recent_items),
        text=text,
        tokens=count_tokens(text),
        sources=tuple(dict.fromkeys(cited)),
    )


def _pack_lines(packer: _Packer, section: str, lines: Sequence[str], share: int) -> list[str]:
    kept: list[str] = []
    limit = packer.used + share
    for line in lines:
        header = () if kept else (HEADERS[section],)
        if not packer.fits(*header, line, limit=limit):
            break
        packer.take(*header, line)
        kept.append(line)
    return kept


def _pack_recent(packer: _Packer, recent: Sequence[MemoryRecord], share: int) -> list[ContextItem]:
    """The latest turns that fit in their share, newest kept first, shown oldest first."""
    kept: list[ContextItem] = []
    limit = packer.used + share
    days: set[str] = set()
    for memory in reversed(recent):
        line = _turn_line(memory)
        extra = [HEADERS["recent"]] if not kept else []
        extra += [_day(memory)] if _day(memory) not in days else []
        if not packer.fits(*extra, line, limit=limit):
            break
        packer.take(*extra, line)
        days.add(_day(memory))
        kept.append(ContextItem(memory, line, (memory.id,)))
    return kept[::-1]


def _pack_relevant(
    packer: _Packer, hits: Sequence[Hit], shown: set[str], terms: Sequence[str]
) -> tuple[list[ContextItem], list[ContextItem]]:
    """Facts and turns in ranking order; items that do not fit are skipped, smaller may follow."""
    facts: list[ContextItem] = []
    episodes: list[ContextItem] = []
    cited = set(shown)
    days: set[str] = set()
    for hit in hits:
        memory = hit.memory
        sources = tuple(s.id for s in hit.sources) or (memory.id,)
        if memory.id in cited or set(sources) <= cited:
            continue  # already in the context, itself or through a fact
        is_turn = memory.kind in (MemoryKind.EPISODE, MemoryKind.PASSAGE)  # said verbatim
        section, items = ("episodes", episodes) if is_turn else ("facts", facts)
        neighbour_only = all(signal.name == "neighbour" for signal in hit.why)
        line = _turn_line(memory, terms, neighbour_only) if is_turn else _fact_line(memory)
        extra = [HEADERS[section]] if not items else []
        if is_turn and _day(memory) not in days:  # facts carry their dates in their text
            extra.append(_day(memory))
        if not packer.fits(*extra, line):
            continue
        packer.take(*extra, line)
        if is_turn:
            days.add(_day(memory))
        cites = (memory.id,) if memory.kind is MemoryKind.EPISODE else sources
        items.append(ContextItem(memory, line, cites))
        cited.update(sources)
        cited.add(memory.id)
    return facts, episodes


def _render(
    profile: Sequence[str],
    facts: Sequence[ContextItem],
    episodes: Sequence[ContextItem],
    recent: Sequence[ContextItem],
) -> str:
    lines: list[str] = [HEADERS["profile"], *profile] if profile else []
    if facts:
        lines += [HEADERS["facts"], *(item.line for item in _by_time(facts))]
    for header, items in (("episodes", episodes), ("recent", recent)):
        if not items:
            continue
        lines.append(HEADERS[header])
        day = None
        for item in _by_time(items):
            if _day(item.memory) != day:
                day = _day(item.memory)
                lines.append(day)
            lines.append(item.line)
    return "\n".join(lines)


def _by_time(items: Sequence[ContextItem]) -> list[ContextItem]:
    return sorted(items, key=lambda i: (i.memory.occurred_at, i.memory.id))
