"""The retriever is built of parts: sources and steps, each with its own settings."""

from __future__ import annotations

from dataclasses import dataclass

from engramdb import Memory, RetrievalSettings
from engramdb.ports.store import ScoredId
from engramdb.retrieval import rerank, sources
from engramdb.retrieval.parts import Search
from engramdb.retrieval.retriever import Retriever, default_parts
from engramdb.testing.fakes import HashEmbedder


@dataclass(frozen=True)
class Pinned:
    """A made-up source: always proposes one memory."""

    memory_id: str
    weight: float = 5.0
    name: str = "pinned"

    def gather(self, search: Search) -> dict[str, list[ScoredId]]:
        return {self.name: [(self.memory_id, 1.0)]}


def _memory() -> Memory:
    mem = Memory.open(":memory:", embedder=HashEmbedder(), understand=False)
    mem.add("I keep bees on the roof", user_id="u")
    mem.add("The weather was grey all week", user_id="u")
    return mem


def test_default_parts_take_their_settings() -> None:
    settings = RetrievalSettings(lexical_weight=0.3, time_boost=3.0, neighbour_window=2)
    found, steps = default_parts(settings)
    assert [s.name for s in found] == [
        "lexical", "quoted", "dense", "gist", "graph", "relation", "time"
    ]  # fmt: skip
    assert found[0] == sources.Lexical(weight=0.3, floor=settings.lexical_floor)
    assert rerank.TimeBoost(boost=3.0) in steps
    assert next(s for s in steps if isinstance(s, rerank.Contiguity)).window == 2


def test_a_new_source_is_one_part_and_names_its_signal() -> None:
    with _memory() as mem:
        weather = mem.search("weather", user_id="u")[0].memory
        found, steps = default_parts(mem.retriever.settings)
        mem.retriever = Retriever(
            mem.store, mem.embedder, parts=([*found, Pinned(weather.id)], steps)
        )
        hits = mem.search("bees on the roof", user_id="u")
        assert hits[0].memory.id == weather.id
        assert "pinned" in {s.name for s in hits[0].why}


def test_without_a_step_its_effect_goes() -> None:
    with _memory() as mem:
        found, steps = default_parts(mem.retriever.settings)
        kept = [s for s in steps if not isinstance(s, rerank.Retention)]
        plain = Retriever(mem.store, mem.embedder, parts=(found, kept))
        mem.feedback([mem.search("bees", user_id="u")[0].memory.id])  # used: retained
        with_retention = mem.search("bees", user_id="u")[0].score
        mem.retriever = plain
        assert mem.search("bees", user_id="u")[0].score < with_retention


def test_each_quoted_thing_is_matched_on_its_own() -> None:
    question = "How many days before the 'Rack Fest' did I race at 'Turbo Tuesdays'?"
    with Memory.open(":memory:", embedder=HashEmbedder(), understand=False) as mem:
        for n in range(40):
            mem.add(f"Note {n}: groceries, laundry and a pile of emails", user_id="u")
        for n in range(5):  # the other quoted thing, in more memories and more query words
            mem.add(f"Turbo Tuesdays race {n}: days before the race I tuned the car", user_id="u")
        fest = mem.add("Back from the Rack Fest in the city, a long happy day", user_id="u")[0]

        def rank_of_fest() -> tuple[int, set[str]]:
            hits = mem.search(question, user_id="u", k=20)
            rank = next(r for r, h in enumerate(hits, 1) if h.memory.id == fest.id)
            return rank, {s.name for s in hits[rank - 1].why}

        quoted, signals = rank_of_fest()
        found, steps = default_parts(mem.retriever.settings)
        unquoted = [s for s in found if not isinstance(s, sources.Quoted)]
        mem.retriever = Retriever(mem.store, mem.embedder, parts=(unquoted, steps))
        assert "quoted" in signals
        assert quoted < rank_of_fest()[0]


def test_new_settings_rebuild_the_default_parts() -> None:
    with _memory() as mem:
        mem.add("I keep bees on the roof, and the bees make honey", user_id="u")
        assert any(s.name == "neighbour" for h in mem.search("honey", user_id="u") for s in h.why)
        mem.retriever.settings = RetrievalSettings(neighbour_window=0, lexical_weight=0.5)
        assert not any(
            s.name == "neighbour" for h in mem.search("honey", user_id="u") for s in h.why
        )
        assert mem.retriever.sources[0] == sources.Lexical(weight=0.5, floor=0.2)
        found, steps = default_parts(RetrievalSettings())
        mem.retriever = Retriever(mem.store, mem.embedder, parts=(found[:1], steps))
        mem.retriever.settings = RetrievalSettings(lexical_weight=0.3)
        assert mem.retriever.sources == found[:1]  # parts given are kept
