"""Long turns are also indexed as passages: found wherever the answer sits, cheap to show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from engramdb import Memory
from engramdb.model.memory import MemoryKind, MemoryRecord
from engramdb.pipeline.passages import PASSAGE_CHARS, TURN_CHARS, passages_of
from engramdb.testing import HashEmbedder

RECIPE = "\n\n".join(
    [
        "Here are some quick and easy dinner ideas you might enjoy trying this week.",
        *(
            f"{n}. **Dish {n}**: simmer the vegetables for {n * 5} minutes, season with "
            "salt, pepper and a little smoked paprika, then serve over rice or noodles."
            for n in range(1, 12)
        ),
        "For the risotto, toast the Arborio rice in butter before adding the saffron stock.",
        "Which one of these recipes catches your eye?",
    ]
)


def passages_in(mem: Memory, user: str) -> list[MemoryRecord]:
    return [
        m for m in mem.get_all(user_id=user, limit=500).memories if m.kind is MemoryKind.PASSAGE
    ]


def test_a_long_turn_is_cut_into_verbatim_passages_that_cite_it(mem: Memory) -> None:
    assert len(RECIPE) > TURN_CHARS
    mem.add(
        [
            {"role": "user", "content": "Any dinner ideas?"},
            {"role": "assistant", "content": RECIPE},
        ],
        user_id="u1",
    )
    memories = mem.get_all(user_id="u1", limit=500).memories
    (turn,) = [m for m in memories if m.kind is MemoryKind.EPISODE and m.text == RECIPE]
    passages = sorted(
        (m for m in memories if m.kind is MemoryKind.PASSAGE),
        key=lambda m: m.metadata["passage_start"],
    )
    assert len(passages) >= 3
    for passage in passages:
        start = passage.metadata["passage_start"]
        assert RECIPE[start : start + len(passage.text)] == passage.text
        assert passage.sources == (turn.id,) and passage.role == "assistant"
        assert passage.occurred_at == turn.occurred_at
        assert len(passage.text) <= PASSAGE_CHARS
    covered = "".join(p.text for p in passages).replace("\n", "").replace(" ", "")
    assert covered == RECIPE.replace("\n", "").replace(" ", "")
    short = [m for m in memories if m.text == "Any dinner ideas?"]
    assert short and not [p for p in passages if p.sources == (short[0].id,)]


def test_the_passage_that_answers_is_found_and_its_turn_is_the_evidence(mem: Memory) -> None:
    mem.add([{"role": "assistant", "content": RECIPE}], user_id="u1")
    hits = mem.search("toast the Arborio rice in butter with saffron stock", user_id="u1", k=3)
    assert hits[0].memory.kind is MemoryKind.PASSAGE
    assert "Arborio" in hits[0].memory.text and len(hits[0].memory.text) < len(RECIPE) / 3
    assert [s.text for s in hits[0].sources] == [RECIPE]
    context = mem.context("how do I make the risotto with Arborio rice?", user_id="u1")
    assert "Arborio" in context.text and "Dish 7" not in context.text


def test_editing_or_deleting_the_turn_replaces_or_removes_its_passages(mem: Memory) -> None:
    (turn,) = mem.add([{"role": "assistant", "content": RECIPE}], user_id="u1")
    before = {p.id for p in passages_in(mem, "u1")}
    edited = RECIPE.replace("Arborio", "Carnaroli")
    mem.update(turn.id, text=edited)
    passages = passages_in(mem, "u1")
    assert passages and not before & {p.id for p in passages}
    assert any("Carnaroli" in p.text for p in passages) and not any(
        "Arborio" in p.text for p in passages
    )
    mem.delete(turn.id)
    assert not passages_in(mem, "u1")


def test_short_turns_and_derived_memories_get_no_passages(mem: Memory) -> None:
    (turn,) = mem.add("I moved to Lisbon.", user_id="u1")
    assert passages_of(turn, turn.recorded_at) == ()
    assert not passages_in(mem, "u1")


def test_a_turns_metadata_reaches_its_passages_and_filters_find_them(mem: Memory) -> None:
    (turn,) = mem.add(
        [{"role": "assistant", "content": RECIPE}], user_id="u1", metadata={"topic": "food"}
    )
    assert {p.metadata["topic"] for p in passages_in(mem, "u1")} == {"food"}
    mem.update(turn.id, metadata={"topic": "cooking"})
    passages = passages_in(mem, "u1")
    assert {p.metadata["topic"] for p in passages} == {"cooking"}
    assert all(isinstance(p.metadata["passage_start"], int) for p in passages)
    hits = mem.search("Arborio rice saffron", user_id="u1", filters={"topic": "cooking"}, k=3)
    assert hits and hits[0].memory.kind is MemoryKind.PASSAGE
    assert not mem.search("Arborio rice saffron", user_id="u1", filters={"topic": "food"})


def test_a_passage_is_folded_into_its_turn_and_says_so(mem: Memory) -> None:
    mem.add([{"role": "assistant", "content": RECIPE}], user_id="u1")
    hits = mem.search("Arborio rice saffron stock", user_id="u1", k=10)
    assert len({s.id for h in hits for s in h.sources}) == len(hits)  # one hit per turn
    (shown,) = [h for h in hits if h.memory.kind is MemoryKind.PASSAGE]
    (reason,) = [s for s in shown.why if s.name == "passage"]
    assert reason.via == shown.memory.id and "shown by its passage" in reason.describe()
    asked = mem.search("Arborio", user_id="u1", filters={"kind": "passage"}, k=10)
    assert asked and all(h.memory.kind is MemoryKind.PASSAGE for h in asked)


def _turn_and_passage_vectors(mem: Memory, user: str) -> tuple[Any, list[Any]]:
    memories = mem.get_all(user_id=user, limit=500).memories
    (turn,) = [m for m in memories if m.kind is MemoryKind.EPISODE and len(m.text) > TURN_CHARS]
    passages = [m for m in memories if m.kind is MemoryKind.PASSAGE]
    vectors = mem.store.vectors_of([turn.id, *(p.id for p in passages)])
    return vectors[turn.id], [vectors[p.id] for p in passages]


def _unit_mean(vectors: list[Any]) -> Any:
    mean = np.mean(vectors, axis=0)
    return mean / np.linalg.norm(mean)


def test_a_long_turn_is_embedded_through_its_passages(mem: Memory) -> None:
    """The embedder reads 256 word pieces: the turn's vector is its passages' unit mean."""
    mem.add([{"role": "assistant", "content": RECIPE}], user_id="u1")
    turn_vector, passage_vectors = _turn_and_passage_vectors(mem, "u1")
    assert len(passage_vectors) >= 3
    np.testing.assert_allclose(turn_vector, _unit_mean(passage_vectors), atol=1e-6)
    hits = mem.search("quick and easy dinner ideas with vegetables and rice", user_id="u1", k=5)
    assert any(RECIPE in (h.memory.text, *(s.text for s in h.sources)) for h in hits)

    (turn,) = [m for m in mem.get_all(user_id="u1").memories if m.text == RECIPE]
    edited = RECIPE.replace("Arborio", "Carnaroli")
    mem.update(turn.id, text=edited)
    turn_vector, passage_vectors = _turn_and_passage_vectors(mem, "u1")
    np.testing.assert_allclose(turn_vector, _unit_mean(passage_vectors), atol=1e-6)


def test_reembedding_gives_a_long_turn_the_vector_ingest_gave(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Memory.open(path, embedder=HashEmbedder(48)) as mem:
        mem.add([{"role": "assistant", "content": RECIPE}], user_id="u1")
        ingested = _turn_and_passage_vectors(mem, "u1")[0]
    with Memory.open(path, embedder=HashEmbedder(32), reindex=True) as mem:
        reindexed, passage_vectors = _turn_and_passage_vectors(mem, "u1")
        np.testing.assert_allclose(reindexed, _unit_mean(passage_vectors), atol=1e-6)
    with Memory.open(path, embedder=HashEmbedder(48), reindex=True) as mem:
        np.testing.assert_allclose(_turn_and_passage_vectors(mem, "u1")[0], ingested, atol=1e-6)
