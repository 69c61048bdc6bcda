"""Working memory: mem.context() packs profiles, facts, dated turns and latest turns in a budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import T0, say

from engramdb import InvalidInput, Memory
from engramdb.model.memory import MemoryKind, MemoryRecord, Scope
from engramdb.model.query import Hit, Signal
from engramdb.retrieval.budget import count_tokens
from engramdb.retrieval.context import build_context, compress


def _conversation(mem: Memory) -> None:
    turns = [
        ("Ana", "I adopted a dog called Max last week!"),
        ("Ben", "Congrats! What breed is he?"),
        ("Ana", "He is a beagle. I live in Lisbon now, so we walk by the river."),
        ("Ben", "I work at a bakery these days, long hours but I love it."),
        ("Ana", "Max chewed my shoes yesterday. Puppies!"),
    ]
    for day, (who, text) in enumerate(turns):
        mem.add([say(who, text)], user_id="u", session_id=f"s{day // 2}",
                timestamp=T0 + timedelta(days=day))  # fmt: skip


def test_sections_budget_sources(umem: Memory) -> None:
    _conversation(umem)
    built = umem.context("What is Ana's dog called?", user_id="u", budget_tokens=300)
    assert built.tokens <= 300 and built.tokens == count_tokens(built.text)
    assert built.profile and built.profile[0].startswith("Ana:") and "Lisbon" in built.profile[0]
    assert "Known about them:" in built.text and "Latest turns:" in built.text
    shown = [i.memory.id for s in (built.facts, built.episodes, built.recent) for i in s]
    assert len(shown) == len(set(shown)), "a memory appears twice"
    assert any("Max" in i.line for i in (*built.facts, *built.episodes))
    turns = [i.memory for i in built.episodes]
    assert turns == sorted(turns, key=lambda m: m.occurred_at)
    assert set(built.sources) >= {c for i in built.facts for c in i.cites}
    assert built.to_dict()["text"] == built.text


def test_as_of_and_tiny_budgets(umem: Memory) -> None:
    _conversation(umem)
    early = umem.context("Max", user_id="u", as_of=T0 + timedelta(days=1, hours=1))
    assert all(i.memory.occurred_at <= T0 + timedelta(days=1, hours=1) for i in early.recent)
    tiny = umem.context("Where does Ana live?", user_id="u", budget_tokens=50, recent_turns=0)
    assert 0 < tiny.tokens <= 50 and not tiny.recent
    with pytest.raises(InvalidInput):
        umem.context("Max", user_id="u", budget_tokens=10)
    with pytest.raises(InvalidInput):
        umem.context("Max", user_id="u", recent_turns=-1)
    with pytest.raises(InvalidInput):
        umem.context("Max")  # no scope
    assert umem.for_tenant("other").context("Max", user_id="u").text == ""


def test_compress_keeps_the_sentences_about_the_query() -> None:
    text = (
        "Hey, good to hear from you! It has been a busy month at work and at home. "
        "I finally ran the charity race for mental health last Saturday. "
        "The kids are fine and we are planning a trip in the summer, maybe to the coast."
    )
    cut = compress(text, ["charity", "race"])
    assert cut == "… I finally ran the charity race for mental health last Saturday. …"
    assert compress(text, ["volcano"]) == text  # found by meaning: kept whole
    assert compress(text, ["volcano"], context_only=True).startswith("Hey, good to hear")
    assert compress("Short turn about a race.", ["race"]) == "Short turn about a race."


def _memory(i: int, text: str, kind: MemoryKind, sources: tuple[str, ...] = ()) -> MemoryRecord:
    return MemoryRecord(
        id=f"m{i}", kind=kind, text=text, scope=Scope("u"), speaker="Ana",
        occurred_at=T0 + timedelta(hours=i * 7), recorded_at=T0, sources=sources,
    )  # fmt: skip


words = st.lists(
    st.sampled_from(["the", "dog", "ran", "to", "Lisbon", "race", "with", "Max", "!"]), max_size=60
)


@settings(max_examples=100, deadline=None)
@given(
    texts=st.lists(words.map(" ".join), min_size=5, max_size=30),
    budget=st.integers(50, 300),
    facts=st.sets(st.integers(0, 29), max_size=10),
)
def test_never_over_budget_never_twice(texts: list[str], budget: int, facts: set[int]) -> None:
    hits = []
    for i, text in enumerate(texts):
        if i in facts and i > 0:
            source = _memory(i - 1, texts[i - 1], MemoryKind.EPISODE)
            memory = _memory(100 + i, text, MemoryKind.FACT, (source.id,))
            hits.append(Hit(memory, 1.0, (Signal("dense", i + 1, 0.5),), (source,)))
        else:
            memory = _memory(i, text, MemoryKind.EPISODE)
            hits.append(Hit(memory, 1.0, (Signal("lexical", i + 1, 1.0),), (memory,)))
    recent = [_memory(200 + i, t, MemoryKind.EPISODE) for i, t in enumerate(texts[:3])]
    built = build_context(
        "Max race", hits, budget_tokens=budget, profiles=["Ana: home Lisbon"], recent=recent,
        terms=["max", "race"],
    )  # fmt: skip
    assert count_tokens(built.text) == built.tokens <= budget
    shown = [i.memory.id for s in (built.facts, built.episodes, built.recent) for i in s]
    assert len(shown) == len(set(shown))
    cited = [c for s in (built.facts, built.episodes) for i in s for c in i.cites]
    assert len(cited) == len(set(cited)), "the same turn is shown twice"
