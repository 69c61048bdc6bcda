"""Episode segmentation (surprise, gaps, lengths), gists, and search through gists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from tests.conftest import say

from engramdb import Memory, MemoryRecord, Scope
from engramdb.model.memory import MemoryKind
from engramdb.pipeline.episodes import SegmentSettings, gist, segment
from engramdb.retrieval.retriever import RetrievalSettings

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _turns(count: int, *, gap_before: int | None = None) -> list[MemoryRecord]:
    turns = []
    for n in range(count):
        minutes = n + (180 if gap_before is not None and n >= gap_before else 0)
        turns.append(
            MemoryRecord(
                id=f"t{n:02d}", kind=MemoryKind.EPISODE, text=f"turn {n}", scope=Scope("u"),
                occurred_at=T0 + timedelta(minutes=minutes), recorded_at=T0, seq=n,
            )
        )  # fmt: skip
    return turns


def _topic_vectors(turns: list[MemoryRecord], shift_at: int) -> dict[str, np.ndarray]:
    """Turns on one topic (around axis 0), then on another (around axis 1), with noise."""
    rng = np.random.default_rng(3)
    vectors = {}
    for n, turn in enumerate(turns):
        v = np.zeros(16, dtype=np.float32)
        v[0 if n < shift_at else 1] = 1.0
        v += rng.normal(0, 0.05, 16).astype(np.float32)
        vectors[turn.id] = v / np.linalg.norm(v)
    return vectors


def test_a_topic_shift_starts_a_new_episode() -> None:
    turns = _turns(12)
    episodes = segment(turns, _topic_vectors(turns, 6))
    assert [[t.id for t in e] for e in episodes] == [
        [t.id for t in turns[:6]],
        [t.id for t in turns[6:]],
    ]


def test_a_time_gap_cuts_even_inside_one_topic_and_lengths_are_bounded() -> None:
    turns = _turns(8, gap_before=2)
    episodes = segment(turns, _topic_vectors(turns, 99))
    assert [len(e) for e in episodes] == [2, 6]
    long = _turns(30)
    settings = SegmentSettings(max_turns=12, gamma=100.0)  # no surprise: lengths only
    assert [len(e) for e in segment(long, _topic_vectors(long, 99), settings)] == [12, 12, 6]


def test_no_cut_before_the_minimum_length() -> None:
    turns = _turns(8)
    episodes = segment(turns, _topic_vectors(turns, 2), SegmentSettings(min_turns=3))
    assert len(episodes[0]) >= 3


def test_the_gist_is_the_most_central_sentences_in_order() -> None:
    turns = [
        MemoryRecord(
            id=str(n),
            kind=MemoryKind.EPISODE,
            text=text,
            scope=Scope("u"),
            occurred_at=T0,
            recorded_at=T0,
            speaker=who,
        )
        for n, (who, text) in enumerate(
            [
                ("Ana", "Hi! We adopted a puppy called Miso. She is tiny."),
                ("Ben", "A puppy! What breed is Miso?"),
                ("Ana", "Miso is a beagle puppy. Lovely weather today."),
            ]
        )
    ]
    assert gist(turns, 2) == "Ana: We adopted a puppy called Miso. Ana: Miso is a beagle puppy."


def test_search_can_reach_turns_through_the_gist_of_their_episode(tmp_path, minilm) -> None:  # type: ignore[no-untyped-def]
    lines = [
        ("Ana", "We finally adopted a puppy from the shelter on Saturday."),
        ("Ben", "That is wonderful news, what is the little one called?"),
        ("Ana", "Her name is Miso, she chews every shoe in the flat."),
        ("Ben", "Ha, get her some toys before she eats your sofa."),
        ("Ana", "Miso loves the rope toy the vet gave us."),
        ("Ana", "Also my sister starts university in Porto next month."),
        ("Ben", "Porto is a lovely city for students."),
        ("Ana", "She will study architecture there."),
        ("Ben", "The architecture faculty in Porto is famous."),
    ]
    messages = [
        say(who, text, timestamp=(T0 + timedelta(minutes=n)).isoformat())
        for n, (who, text) in enumerate(lines)
    ]
    with Memory.open(tmp_path / "g.db", embedder=minilm) as mem:
        mem.add(messages, user_id="u", session_id="s1")
        report = mem.consolidate(user_id="u")
        assert report["gists"] >= 2
        by_default = mem.search("the dog they got from the shelter", user_id="u", k=5)
        assert not [h for h in by_default if any(s.name == "gist" for s in h.why)]
    through_gists = RetrievalSettings(gist_top=8)
    with Memory.open(tmp_path / "g.db", embedder=minilm, retrieval=through_gists) as mem:
        hits = mem.search("the dog they got from the shelter", user_id="u", k=5)
        assert all(h.memory.kind is not MemoryKind.SUMMARY for h in hits)
        via_gist = [h for h in hits if any(s.name == "gist" for s in h.why)]
        assert via_gist and any("Miso" in h.memory.text for h in via_gist)
        gists = mem.search("puppy", user_id="u", filters={"kind": "summary"})
        assert gists and gists[0].memory.kind is MemoryKind.SUMMARY
