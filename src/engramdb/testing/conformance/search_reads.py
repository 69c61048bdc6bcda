"""A search reads the store in few calls, and reading ahead changes no hit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from engramdb import Memory
from engramdb.model.memory import Scope
from engramdb.model.query import Hit
from engramdb.ports.batch import Probe, SearchContext
from engramdb.ports.store import KeywordIndex, VectorIndex
from engramdb.retrieval.parts import Search
from engramdb.testing.calls import store_calls
from engramdb.testing.conformance._support import say

#: a conversation with a named person, facts about her, a long turn and neighbours
_TALK = [
    say("Ana", "I moved to Lisbon last spring with my dog Max."),
    say("Ben", "How is the new job going?"),
    say("Ana", "I work at Acme Corp as a nurse now, nights mostly."),
    say("Ben", "Did you ever finish the garden?"),
    say(
        "Ana",
        " ".join(
            f"Step {n}: the raised beds need compost, then tomatoes by the south wall."
            for n in range(1, 25)
        ),
    ),
    say("Ben", "Ana, where do you live now?"),
]
_QUESTIONS = [
    "Where does Ana live?",
    "Which cities has Ana been to?",
    "Where does Ana work?",
    "what goes by the south wall of the garden",
    "Max the dog",
]


def _explained(hits: Sequence[Hit]) -> list[tuple[Any, ...]]:
    return [
        (h.memory.id, round(h.score, 9), [(s.name, s.rank, s.via) for s in h.why],
         [m.id for m in h.sources])
        for h in hits
    ]  # fmt: skip


def test_a_search_reads_the_store_in_three_calls(umem: Memory) -> None:
    umem.add(_TALK, user_id="ana")
    for question in ["what goes by the south wall of the garden", "Did Ben ask Ana about it?"]:
        with store_calls(umem.store) as calls:
            assert umem.search(question, user_id="ana", k=5)
        # the scope's entities, every candidate list, then the candidates with their sources,
        # the neighbours of the best and the mentions of who the query names
        assert calls == ["entities", "search_many", "search_context"], question
    with store_calls(umem.store) as calls:  # asking for an attribute reads the facts stating it
        assert umem.search("Where does Ana work?", user_id="ana", k=5)
    assert calls == ["entities", "search_many", "relations", "search_context"]
    with store_calls(umem.store) as calls:  # asking for a kind of entity reads who met which
        assert umem.search("Which cities has Ana been to?", user_id="ana", k=5)
    assert calls == ["entities", "mentions", "search_many", "search_context"]


def test_reading_ahead_changes_no_hit(umem: Memory, monkeypatch: pytest.MonkeyPatch) -> None:
    umem.add(_TALK, user_id="ana")
    umem.add([say("Ana", "turn one"), say("Ben", "turn two")], user_id="ana", session_id="s2")
    ahead = {q: _explained(umem.search(q, user_id="ana", k=10)) for q in _QUESTIONS}
    store = umem.store

    def candidates_only(ids: Sequence[str], **kwargs: Any) -> SearchContext:
        return SearchContext(store.get_many(ids), {}, [], set())

    monkeypatch.setattr(store, "search_context", candidates_only)
    monkeypatch.setattr(Search, "probe", lambda search, probes: None)  # each list on its own
    step_by_step = {q: _explained(umem.search(q, user_id="ana", k=10)) for q in _QUESTIONS}
    assert step_by_step == ahead


def test_many_lists_in_one_call_are_the_lists_asked_one_by_one(mem: Memory) -> None:
    mem.add(_TALK, user_id="ana")
    mem.add(_TALK[:2], user_id="ben")
    scope = Scope(user_id="ana", tenant_id=mem.tenant_id)
    vector = mem.embedder.embed("garden compost")
    probes = [
        Probe("lexical", None, ("garden", "compost")),
        Probe("dense", None, vector=vector),
        Probe("lexical", None, ()),
    ]
    store = mem.store
    assert isinstance(store, KeywordIndex) and isinstance(store, VectorIndex)
    found = store.search_many(probes, scope, 3)
    assert found[0] == store.keyword_search(["garden", "compost"], scope, None, 3)
    assert found[1] == store.vector_search(vector, scope, None, 3)
    assert found[2] == []
    assert found[0] and found[1]
    some = [found[1][2][0], found[1][0][0], "no-such-memory"]
    [ranked] = store.search_many([Probe("dense", None, vector=vector, among=tuple(some))], scope, 5)
    assert [i for i, _ in ranked] == [found[1][0][0], found[1][2][0]]  # nearest first
