"""Pure retrieval functions: fusion, contiguity, budgets, query terms."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from engramdb.model.memory import MemoryKind, MemoryRecord, Scope
from engramdb.model.query import Signal
from engramdb.retrieval.budget import count_tokens, within_budget
from engramdb.retrieval.contiguity import expand_neighbours, is_question
from engramdb.retrieval.evidence import evidence_of, pool_support
from engramdb.retrieval.focus import predicates_asked_for
from engramdb.retrieval.fusion import Fused, rrf
from engramdb.retrieval.text import query_terms


def test_rrf_orders_by_reciprocal_rank_sum() -> None:
    fused = rrf({"a": [("x", 9.0), ("y", 5.0)], "b": [("y", 0.9), ("z", 0.5)]}, k=1)
    assert [f.id for f in fused] == ["y", "x", "z"]
    assert fused[0].score == 1 / 3 + 1 / 2
    assert [(s.name, s.rank) for s in fused[0].signals] == [("a", 2), ("b", 1)]


def test_rrf_weights() -> None:
    fused = rrf({"a": [("x", 1.0)], "b": [("y", 1.0)]}, k=1, weights={"a": 0.5})
    assert [f.id for f in fused] == ["y", "x"]


@given(st.dictionaries(st.sampled_from("abc"), st.lists(st.sampled_from("pqrstu"), unique=True)))
def test_rrf_properties(lists: dict[str, list[str]]) -> None:
    fused = rrf({name: [(i, 0.0) for i in ids] for name, ids in lists.items()})
    assert {f.id for f in fused} == {i for ids in lists.values() for i in ids}
    assert all(a.score >= b.score for a, b in pairwise(fused))
    for f in fused:
        assert len(f.signals) == sum(f.id in ids for ids in lists.values())


def _episode(i: str, seq: int) -> MemoryRecord:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    return MemoryRecord(i, MemoryKind.EPISODE, i, Scope("u", None, "s"), now, now, seq=seq)


def _expand_around_t2(
    memories: dict[str, MemoryRecord], text: str = "t2", **decays: float
) -> list[Fused]:
    """Expand the hit t2 of a five-turn log t0..t4 (``text``: what t2 says)."""
    log = {f"t{n}": _episode(f"t{n}", n) for n in range(5)}
    log["t2"] = replace(log["t2"], text=text)
    memories["t2"] = log["t2"]
    return expand_neighbours(
        [Fused("t2", 1.0)],
        memories,
        lambda m: [log[f"t{n}"] for n in (m.seq - 1, m.seq + 1)],  # type: ignore[operator]
        **decays,
    )


def test_neighbours_rank_below_their_hit() -> None:
    memories: dict[str, MemoryRecord] = {}
    ranked = _expand_around_t2(memories, decay=0.5)
    assert [f.id for f in ranked] == ["t2", "t1", "t3"]
    assert ranked[1].score == 0.5 and ranked[1].signals[0].via == "t2"
    assert set(memories) == {"t1", "t2", "t3"}


def test_a_question_lends_its_answer_more_than_its_context() -> None:
    memories: dict[str, MemoryRecord] = {}
    ranked = _expand_around_t2(memories, "Which pets do you have?", decay=0.8, context_decay=0.5)
    assert [(f.id, f.score) for f in ranked] == [("t2", 1.0), ("t3", 0.8), ("t1", 0.5)]
    assert is_question(memories["t2"]) and not is_question(memories["t1"])


def test_a_candidate_below_the_head_keeps_its_own_score_and_reasons_as_a_neighbour() -> None:
    """t3 is a candidate of its own (dense), below the hits that pull in neighbours."""
    log = {f"t{n}": _episode(f"t{n}", n) for n in range(5)}
    own = Fused("t3", 0.7, [Signal("dense", 8, 0.39)])
    ranked = expand_neighbours(
        [Fused("t2", 1.0)], dict(log), lambda m: [log["t1"], log["t3"]], decay=0.5,
        others=[own, Fused("t4", 0.1)],
    )  # fmt: skip
    by_id = {f.id: f for f in ranked}
    assert by_id["t3"].score == 0.7 and [s.name for s in by_id["t3"].signals] == ["dense"]
    assert by_id["t1"].score == 0.5 and by_id["t4"].score == 0.1  # the rest are kept
    assert [f.id for f in ranked] == ["t2", "t3", "t1", "t4"]


def _search(memories: dict[str, MemoryRecord], query: str, **kw: object) -> object:
    from engramdb.retrieval.parts import Search

    fields = dict(store=None, text=query, vector=None, scope=Scope("u", None, "s"), flt=None,
                  evidence=None, direct=False, as_of=None, known=[], named=[], by_name=[],
                  windows=[], candidates=50, memories=memories)  # fmt: skip
    return Search(**(fields | kw))  # type: ignore[arg-type]


def test_a_fact_counts_as_in_a_window_when_its_turn_was_said_then() -> None:
    """ "I mentioned a cake two days ago": the cake was baked the week before, said then."""
    from engramdb.retrieval.rerank import TimeBoost

    said = datetime(2024, 4, 10, tzinfo=UTC)
    turn = replace(_episode("t1", 1), occurred_at=said)
    baked = replace(_episode("f1", 0), kind=MemoryKind.FACT, sources=("t1",),
                    occurred_at=datetime(2024, 4, 2, tzinfo=UTC))  # fmt: skip
    other = replace(_episode("f2", 0), kind=MemoryKind.FACT, sources=("t0",),
                    occurred_at=datetime(2024, 3, 1, tzinfo=UTC))  # fmt: skip
    t0 = replace(_episode("t0", 0), occurred_at=datetime(2024, 3, 1, tzinfo=UTC))
    memories = {m.id: m for m in (turn, baked, other, t0)}
    window = [(said, datetime(2024, 4, 11, tzinfo=UTC))]

    def boosted(said_counts: bool) -> list[str]:
        search = _search(memories, "I mentioned a cake two days ago", windows=window)
        fused = TimeBoost(said=said_counts).apply(search, [Fused("f1", 1.0), Fused("f2", 1.0)])  # type: ignore[arg-type]
        return [f.id for f in fused if f.score > 1.0]

    assert boosted(True) == ["f1"]
    assert boosted(False) == []


def test_a_question_about_money_favours_memories_that_name_an_amount() -> None:
    from engramdb.retrieval.parts import Search
    from engramdb.retrieval.rerank import AnswerType

    priced = replace(_episode("t1", 1), text="The new bike lights were $40.")
    plain = replace(_episode("t2", 2), text="I ride my bike to work every day.")
    memories = {m.id: m for m in (priced, plain)}

    def ranked(query: str) -> list[str]:
        search = Search(store=None, text=query, vector=None, scope=priced.scope, flt=None,  # type: ignore[arg-type]
                        evidence=None, direct=False, as_of=None, known=[], named=[], by_name=[],
                        windows=[], candidates=50,
                        memories=memories)  # fmt: skip
        fused = AnswerType(boost=1.5).apply(search, [Fused("t2", 1.0), Fused("t1", 0.8)])
        return [f.id for f in sorted(fused, key=lambda f: -f.score)]

    assert ranked("How much have I spent on my bike this year?") == ["t1", "t2"]
    assert ranked("What is the total cost of the bike parts?") == ["t1", "t2"]
    assert ranked("How often do I ride my bike?") == ["t2", "t1"]  # no amount asked for


def test_budget_is_a_prefix() -> None:
    assert within_budget(["aa", "b", "cccc", "d"], 3, len) == ["aa", "b"]
    assert within_budget(["toolong"], 3, len) == []


def test_count_tokens() -> None:
    assert count_tokens("Hello, world!") == 4
    assert count_tokens("") == 0


def test_query_terms_drop_stop_words_and_possessives() -> None:
    assert query_terms("What did Caroline's sister do in 2023?") == ["caroline", "sister", "2023"]
    assert query_terms("the of and") == []
    assert query_terms("Café São Paulo") == ["café", "são", "paulo"]


def test_findings_of_one_turn_support_its_best() -> None:
    turn = _episode("t1", 1)
    fact = replace(turn, id="f1", kind=MemoryKind.FACT, seq=None, sources=("t1",))
    other = _episode("t2", 2)
    memories = {m.id: m for m in (turn, fact, other)}
    fused = [Fused("f1", 0.5), Fused("t2", 0.6), Fused("t1", 0.25)]
    pool_support(fused, memories, 0.6)
    scores = {f.id: f.score for f in fused}
    assert scores == {"f1": 0.5 + 0.6 * 0.25, "t2": 0.6, "t1": 0.25}
    support = fused[0].signals[-1]
    assert (support.name, support.rank, support.via) == ("support", 1, "t1")
    assert evidence_of(fact) == evidence_of(turn) == ("t1",)


def test_questions_for_an_attribute_name_its_predicates() -> None:
    assert predicates_asked_for("Where does Ana live now?") == {"lives_in"}
    assert predicates_asked_for("Where does Ana work?") == {"works_at", "job"}
    assert predicates_asked_for("What is Ben's job?") == {"works_at", "job"}
    assert predicates_asked_for("How old is Ben?") == {"age"}
    assert predicates_asked_for("How many years older am I than Ben?") == {"age"}
    assert predicates_asked_for("How many years will I be at the wedding?") == {"age"}
    assert predicates_asked_for("How many years did I work at Acme?") == {"works_at", "job"}
    assert predicates_asked_for("What is Ana's favourite book?") == {"favourite_book"}
    assert predicates_asked_for("Where was I working in May?") == {"works_at", "job"}
    assert predicates_asked_for("Where were you living then?") == {"lives_in"}
    assert predicates_asked_for("Who was I working for?") == {"works_at", "job"}
    assert predicates_asked_for("Who did Ben work for before?") == {"works_at", "job"}
    assert predicates_asked_for("What was I working on?") == set()
    assert predicates_asked_for("What did Ana paint?") == set()


def test_quotes_are_found_and_apostrophes_are_not() -> None:
    from engramdb.retrieval.text import quoted_terms

    assert quoted_terms("Did I read 'The Nightingale' before “Sapiens: A Brief History”?") == [
        ("the nightingale", "nightingale"),  # the title first, as a phrase
        ("sapiens a brief history", "sapiens", "brief", "history"),
    ]
    assert quoted_terms("I'm sure my brother's 'Dune' is it") == []  # one quote is no list
    assert quoted_terms("'Dune' and 'Dune' again") == []  # nor the same one twice


def test_a_request_to_the_assistant_is_not_a_question_about_what_it_said() -> None:
    from engramdb.model.graph import Entity, entity_key
    from engramdb.retrieval.focus import parties_in_query

    scope = Scope("u_8f3a", None, None)
    now = datetime(2024, 1, 1, tzinfo=UTC)
    user, assistant = (
        Entity(n, n, "person", scope, now, key=entity_key(n)) for n in ("the user", "the assistant")
    )

    def parties(query: str) -> list[str]:
        return [e.name for e in parties_in_query(query, scope, [user, assistant])]

    assert parties("Can you suggest some accessories for my phone?") == ["the user"]
    assert parties("Do you have any tips for my commute?") == ["the user"]
    assert parties("What did you recommend for my phone?") == ["the user", "the assistant"]
    assert parties("Can you remind me what you said about Lisbon?") == ["the user", "the assistant"]


def test_questions_about_now_are_told_from_questions_about_the_past() -> None:
    from engramdb.retrieval.rerank import asks_about_now

    now = ["Where do I live now?", "What is my job?", "Who is my partner?",
           "What car do I drive?", "How many bikes do I currently own?",
           "Where am I based?", "Who am I married to?",
           "What do I need for my commute?"]  # fmt: skip
    past = ["Where did I live in 2020?", "What was my first job?", "When did I move to Denver?",
            "What is the name of the cafe I visited?", "Who did I go hiking with?"]  # fmt: skip
    assert [q for q in now if asks_about_now(q)] == now
    assert [q for q in past if asks_about_now(q)] == []


def test_the_latest_of_close_candidates_answers_a_question_about_now() -> None:
    """Three homes said months apart score about the same: the one said last wins."""
    from engramdb.retrieval.rerank import Recency

    homes = {
        f"t{n}": replace(_episode(f"t{n}", n), occurred_at=datetime(2024, 1 + 2 * n, 1, tzinfo=UTC))
        for n in range(3)
    }

    def first(query: str, **kw: object) -> str:
        search = _search(homes, query, **kw)
        fused = [Fused("t0", 1.0), Fused("t1", 0.95), Fused("t2", 0.9)]
        ranked = Recency(weight=0.3, top=5).apply(search, fused)  # type: ignore[arg-type]
        return max(ranked, key=lambda f: f.score).id

    assert first("Where do I live now?") == "t2"
    assert first("Where did I live?", as_of=datetime(2024, 6, 1, tzinfo=UTC)) == "t2"
    assert first("Where did I live before?") == "t0"  # not about now: unchanged
    window = [(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))]
    assert first("Where do I live this January?", windows=window) == "t0"  # a time is named
