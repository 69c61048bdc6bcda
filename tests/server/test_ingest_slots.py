"""Ingests wait for a slot; searches never do (real HTTP, concurrent clients)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import httpx
import numpy as np
import pytest
import uvicorn
from tests.server.conftest import free_port

from engramdb import Memory
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.server import create_app
from engramdb.testing import HashEmbedder


class HeldIngests(HashEmbedder):
    """Holds every ingest in its embedding until released; counts how many are held."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._active = 0
        self.most = 0
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not any("SLOW" in t for t in texts):  # a search's query
            return super().embed_batch(texts)
        with self._lock:
            self._active += 1
            self.most = max(self.most, self._active)
        self.entered.release()
        self.release.wait(30)
        with self._lock:
            self._active -= 1
        return super().embed_batch(texts)


@pytest.mark.parametrize("slots", [1, 2])
def test_ingests_take_turns_and_searches_pass_them(slots: int) -> None:
    embedder = HeldIngests()
    with Memory.open(":memory:", embedder=embedder, parser=RulesParser()) as memory:
        embedder.release.set()
        memory.add("SLOW a first note about kayaks", user_id="u")
        embedder.release.clear()
        embedder.most = 0
        embedder.entered = threading.Semaphore(0)
        app = create_app(memory, auth=False, ingest_slots=slots)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_config=None)
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        url = f"http://127.0.0.1:{server.config.port}/v1"

        def add(n: int) -> None:
            body = {"messages": f"SLOW note {n} about kayaks", "user_id": "u"}
            assert httpx.post(f"{url}/memories", json=body, timeout=60).status_code == 201

        adds = [threading.Thread(target=add, args=(n,)) for n in range(4)]
        for t in adds:
            t.start()
        for _ in range(slots):  # every slot is taken by an ingest held in its embedding
            assert embedder.entered.acquire(timeout=30)
        assert not embedder.entered.acquire(timeout=0.5)  # and no other ingest gets in
        # a search answers while the ingests are held (waiting for a slot, it would time out)
        found = httpx.post(f"{url}/search", json={"query": "kayaks", "user_id": "u"}, timeout=10)
        embedder.release.set()
        for t in adds:
            t.join()
        server.should_exit = True
        thread.join(timeout=10)
    assert found.status_code == 200 and found.json()["hits"]
    assert embedder.most == slots  # never more ingests at once than slots, and that many


def test_ingest_slots_must_be_positive() -> None:
    with (
        Memory.open(":memory:", embedder=HashEmbedder()) as memory,
        pytest.raises(ValueError, match="ingest_slots"),
    ):
        create_app(memory, ingest_slots=0)
