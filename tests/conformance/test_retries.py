"""Retries never duplicate: idempotency keys, exact repeats, and re-run imports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import say

from engramdb import Conflict, InvalidInput, Memory
from engramdb.testing import HashEmbedder

WHEN = datetime(2024, 3, 4, 9, 12, tzinfo=UTC)


def _episodes(mem: Memory, **scope: str) -> list[str]:
    page = mem.get_all(**scope, filters={"kind": "episode"}, limit=1000)
    return [m.text for m in page.memories]


def test_a_retried_add_returns_the_original_and_stores_nothing(mem: Memory) -> None:
    first = mem.add([say("Ana", "I moved to Lisbon")], user_id="u", idempotency_key="req-1")
    before = mem.stats()
    again = mem.add([say("Ana", "I moved to Lisbon")], user_id="u", idempotency_key="req-1")
    assert [m.id for m in again] == [m.id for m in first]
    assert mem.stats()["memories"] == before["memories"]
    assert mem.stats()["events"] == before["events"]
    with pytest.raises(Conflict, match="different request"):
        mem.add("something else", user_id="u", idempotency_key="req-1")
    with pytest.raises(InvalidInput):
        mem.add("x", user_id="u", idempotency_key="")


def test_a_retried_batch_too_and_keys_are_per_tenant(mem: Memory) -> None:
    items = [{"messages": "hello", "user_id": "u"}, {"messages": "bye", "user_id": "v"}]
    first = mem.add_batch(items, idempotency_key="batch")
    assert [[m.id for m in ms] for ms in mem.add_batch(items, idempotency_key="batch")] == [
        [m.id for m in ms] for ms in first
    ]
    acme, globex = mem.for_tenant("acme"), mem.for_tenant("globex")
    a = acme.add("hello", user_id="u", idempotency_key="same")
    g = globex.add("hello", user_id="u", idempotency_key="same")
    assert a[0].id != g[0].id and g[0].scope.tenant_id == "globex"
    assert acme.add("hello", user_id="u", idempotency_key="same")[0].id == a[0].id


def test_the_exact_same_message_again_is_the_stored_one(mem: Memory) -> None:
    message = [say("Ana", "I adopted a dog", metadata={"dia_id": "D1:1"})]
    first = mem.add(message, user_id="u", session_id="s1", timestamp=WHEN)
    again = mem.add(message, user_id="u", session_id="s1", timestamp=WHEN)
    assert [m.id for m in again] == [m.id for m in first]
    assert _episodes(mem, user_id="u") == ["I adopted a dog"]
    # anything different is a new message: time, speaker, session, metadata, or no time given
    mem.add(message, user_id="u", session_id="s1", timestamp="2024-03-05T09:12:00+00:00")
    mem.add([say("Ben", "I adopted a dog")], user_id="u", session_id="s1", timestamp=WHEN)
    mem.add(message, user_id="u", session_id="s2", timestamp=WHEN)
    mem.add([say("Ana", "I adopted a dog")], user_id="u", session_id="s1", timestamp=WHEN)
    mem.add("I adopted a dog", user_id="u", session_id="s1")
    mem.add("I adopted a dog", user_id="u", session_id="s1")
    assert len(_episodes(mem, user_id="u")) == 7


def test_repeats_within_one_call_are_kept_and_retries_of_it_match_each(mem: Memory) -> None:
    twice = [say("Ana", "thanks!"), say("Ana", "thanks!")]
    first = mem.add(twice, user_id="u", session_id="s", timestamp=WHEN)
    assert len({m.id for m in first}) == 2 and [m.seq for m in first] == [0, 1]
    again = mem.add(twice, user_id="u", session_id="s", timestamp=WHEN)
    assert [m.id for m in again] == [m.id for m in first]
    later = mem.add([say("Ana", "new"), *twice], user_id="u", session_id="s", timestamp=WHEN)
    assert [m.id for m in later[1:]] == [m.id for m in first] and later[0].seq == 2


def test_a_messages_import_killed_and_run_again_stores_each_line_once(tmp_path: Path) -> None:
    source = tmp_path / "messages.jsonl"
    lines = 1500
    with source.open("w") as out:
        for n in range(lines):
            line = {"content": f"message number {n}", "name": "Ana", "user_id": "ana"}
            out.write(json.dumps({**line, "session_id": f"s{n // 300}"}) + "\n")
    db = tmp_path / "m.db"
    env = {**os.environ, "ENGRAMDB_EMBEDDER": "hash"}
    command = [sys.executable, "-m", "engramdb", "import", str(source), "--db", str(db)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _stored(db) == 0:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < _stored(db) < lines  # killed half way
    subprocess.run(command, env=env, check=True, capture_output=True)
    with Memory.open(db, embedder=HashEmbedder(), read_only=True) as mem:
        texts = [m.text for m in mem.get_all(user_id="ana", filters={"kind": "episode"},
                                             limit=1000).memories]  # fmt: skip
        page = mem.get_all(user_id="ana", filters={"kind": "episode"}, limit=1000)
        while page.next_cursor:
            page = mem.get_all(user_id="ana", filters={"kind": "episode"}, limit=1000,
                               cursor=page.next_cursor)  # fmt: skip
            texts += [m.text for m in page.memories]
    assert sorted(texts) == sorted(f"message number {n}" for n in range(lines))


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with Memory.open(db, embedder=HashEmbedder(), read_only=True) as mem:
            return int(mem.stats()["by_kind"].get("episode", 0))
    except Exception:  # the importer is still creating the schema
        return 0
