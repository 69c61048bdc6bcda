"""Consolidation on every backend: gists, merged facts, idempotence, increments, crashes."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from engramdb import Memory
from engramdb.migrate import export_fingerprint
from engramdb.testing import FrozenClock, HashEmbedder
from engramdb.testing.conformance._support import say

DAY1 = datetime(2024, 5, 1, 18, 0, tzinfo=UTC)

HIKING = [
    ("Ana", "We went hiking in the Gerês mountains on Saturday."),
    ("Ben", "Hiking in Gerês sounds great, did you see the waterfalls?"),
    ("Ana", "Yes, the waterfalls were stunning and the hiking trail was steep."),
    ("Ben", "I love pottery, by the way, I made a bowl this week."),
]
JOB = [
    ("Ana", "I love pottery too, I took a class in April."),
    ("Ben", "Nice! How is the new job at the hospital going?"),
    ("Ana", "The job is hard, the night shifts at the hospital are long."),
]


def _session(mem: Memory, sid: str, at: datetime, turns: list[tuple[str, str]]) -> None:
    messages = [
        say(name, text, timestamp=(at + timedelta(minutes=n)).isoformat())
        for n, (name, text) in enumerate(turns)
    ]
    mem.add(messages, user_id="u", session_id=sid)


def _gists(mem: Memory, **scope: Any) -> list[Any]:
    return mem.get_all(user_id="u", filters={"kind": "summary"}, limit=1000, **scope).memories


def test_gists_cite_their_turns_and_describe_their_episode(umem: Memory) -> None:
    _session(umem, "s1", DAY1, HIKING)
    _session(umem, "s1", DAY1 + timedelta(hours=3), JOB)  # a pause: a new episode
    _session(umem, "s2", DAY1 + timedelta(days=7), JOB)
    report = umem.consolidate(user_id="u")
    assert report["sessions"] == 2 and report["rebuilt_sessions"] == 2
    gists = _gists(umem)
    assert report["gists"] == len(gists) >= 2
    turns = {m.id: m for m in umem.get_all(user_id="u", filters={"kind": "episode"}).memories}
    for gist in gists:
        level = gist.metadata["level"]
        assert level in ("episode", "session") and gist.sources
        cited = [turns[s] for s in gist.sources]
        assert gist.occurred_at == cited[0].occurred_at
        assert gist.metadata["end"] == cited[-1].occurred_at.isoformat()
        assert set(gist.metadata["participants"]) <= {"Ana", "Ben"}
        assert gist.text.startswith(("Ana: ", "Ben: "))
    # the most central sentences (words shared across the episode), in order, resolved
    (job,) = _gists(umem, session_id="s2")
    assert job.text == (
        "Ben: How is the new job at the hospital going?"
        " Ana: The job is hard, the night shifts at the hospital are long."
    )
    assert (job.metadata["level"], len(job.sources)) == ("episode", 3)
    hiking, pottery, whole = _gists(umem, session_id="s1")
    assert [g.metadata["level"] for g in (hiking, pottery, whole)] == [
        "episode",
        "episode",
        "session",
    ]
    assert (len(hiking.sources), len(pottery.sources), len(whole.sources)) == (4, 3, 7)
    assert "Gerês" in hiking.metadata["entities"] and hiking.text.startswith("Ana: ")


def test_a_repeated_fact_is_merged_into_the_first_keeping_both_sources(umem: Memory) -> None:
    said = "I volunteer at the animal shelter on weekends."
    _session(umem, "s1", DAY1, [("Ana", said)])
    _session(umem, "s2", DAY1 + timedelta(days=3), [("Ana", said)])
    facts = umem.get_all(user_id="u", filters={"kind": "fact"}).memories
    assert [f.text for f in facts] == ["Ana volunteers at the animal shelter on weekends"] * 2
    assert umem.consolidate(user_id="u")["merged_facts"] == 1
    first, second = (umem.get(f.id) for f in facts)
    assert first.status.value == "active" and second.status.value == "archived"
    assert second.superseded_by == first.id
    assert set(first.sources) == {*facts[0].sources, *facts[1].sources}
    assert first.strength is not None and first.strength > (facts[0].strength or 0)
    assert first.last_used_at is not None
    assert [e.kind.value for e in umem.history(first.id)] == ["add", "update"]
    hits = umem.search("animal shelter", user_id="u")
    assert [h.memory.id for h in hits if h.memory.kind.value == "fact"] == [first.id]
    umem.restore(second.id)  # nothing was lost: the duplicate comes back
    assert umem.get(second.id).status.value == "active"


def test_a_second_run_changes_nothing_and_new_turns_rebuild_only_their_session(
    umem: Memory,
) -> None:
    _session(umem, "s1", DAY1, HIKING)
    _session(umem, "s2", DAY1 + timedelta(days=7), JOB)
    umem.consolidate()
    before = export_fingerprint(umem)
    again = umem.consolidate()
    assert again["rebuilt_sessions"] == again["gists"] == again["merged_facts"] == 0
    assert export_fingerprint(umem) == before
    _session(umem, "s2", DAY1 + timedelta(days=7, hours=1), [("Ben", "Good luck with it!")])
    grown = umem.consolidate()
    assert grown["rebuilt_sessions"] == 1 and grown["replaced_gists"] >= 1
    latest = _gists(umem, session_id="s2")
    assert any("Good luck" in g.text or len(g.sources) == 4 for g in latest)


def test_forgetting_a_session_takes_its_gists(umem: Memory) -> None:
    _session(umem, "s1", DAY1, HIKING)
    _session(umem, "s2", DAY1 + timedelta(days=7), JOB)
    umem.consolidate()
    umem.forget(session_id="s1")
    assert all(g.metadata["participants"] for g in _gists(umem))
    assert not [g for g in _gists(umem) if g.scope.session_id == "s1"]
    assert umem.consolidate()["rebuilt_sessions"] == 0


def _content(mem: Memory) -> list[tuple[Any, ...]]:
    """The gists and facts, by content (ids of new gists differ from run to run)."""
    everything = mem.get_all(user_id="u", limit=1000, include_inactive=True).memories
    texts = {m.id: m.text for m in everything}
    return sorted(
        (m.kind.value, m.text, m.status.value, tuple(m.sources),
         tuple(texts.get(r, r) for r in m.metadata.get("related", ())))
        for m in everything
        if m.kind.value != "episode"
    )  # fmt: skip


class _Crash(Exception):
    pass


def test_a_run_cut_short_then_resumed_equals_one_clean_run(umem: Memory) -> None:
    for n in range(5):
        _session(umem, f"s{n}", DAY1 + timedelta(days=n), HIKING if n % 2 else JOB)
    dump = io.StringIO()
    umem.export(dump)
    dump.seek(0)

    def crash_after_two(done: int, _total: int) -> None:
        if done == 2:
            raise _Crash

    with pytest.raises(_Crash):
        umem.consolidate(progress=crash_after_two)
    resumed = umem.consolidate()
    assert resumed["rebuilt_sessions"] == 3
    with Memory.open(":memory:", embedder=HashEmbedder(), clock=FrozenClock(DAY1)) as clean:
        clean.import_(dump)
        clean.consolidate()
        assert _content(clean) == _content(umem)


def test_two_sessions_on_one_day_roll_up_into_a_day_gist(umem: Memory) -> None:
    _session(umem, "morning", DAY1 - timedelta(hours=8), HIKING)
    _session(umem, "evening", DAY1, JOB)
    _session(umem, "next-day", DAY1 + timedelta(days=1), JOB)
    first = umem.consolidate(user_id="u")
    days = [g for g in _gists(umem) if g.metadata["level"] == "day"]
    assert len(days) == 1 and days[0].metadata["day"] == "2024-05-01"
    (day,) = days
    assert day.scope.session_id is None and len(day.sources) == len(HIKING) + len(JOB)
    assert day.text.startswith(("Ana: ", "Ben: "))
    assert first["gists"] == len(_gists(umem))
    assert umem.consolidate(user_id="u")["gists"] == 0
    _session(umem, "evening", DAY1 + timedelta(hours=4), [("Ben", "Sleep well, Ana.")])
    grown = umem.consolidate(user_id="u")
    assert grown["rebuilt_sessions"] == 1 and grown["replaced_gists"] >= 2
    (renewed,) = [g for g in _gists(umem) if g.metadata["level"] == "day"]
    assert len(renewed.sources) == len(HIKING) + len(JOB) + 1
