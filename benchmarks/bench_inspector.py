"""The web inspector's REST calls on a big store: every view must stay paged and fast.

Usage::

    python benchmarks/bench_inspector.py --data ../shared/data/locomo10.json --size 1000000

The store is grown as by ``bench_store.py`` (LoCoMo ingested with the real model, then one
scope, ``bench``, grown to ``--size`` memories with copies of its turns); every copy also
mentions one entity, so that entity's page has ``--size`` mentions. Then a real
``engramdb serve`` answers each call the inspector makes, over loopback HTTP: the first and
a deep timeline page, a memory's lineage and history, the entity list, the big entity's page
and profile, a search, a context, a listing page and the admin counts. Each is called
``--repeat`` times; the median and worst latency in ms and the response size are printed as
JSON. ``--db`` keeps the store for another run (a kept store is grown, not refilled).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_store import SCOPE, copies_held, grow, ingest, seed_turns
from engramdb import Entity, EntityMention, Memory
from engramdb.eval.locomo import load_locomo
from engramdb.model.ids import new_id
from engramdb.model.memory import Scope

BIG_ENTITY = "Bench Person"


def build(db: str, data: Path, size: int) -> None:
    """LoCoMo, then scope ``bench`` grown to ``size``, every copy mentioning one entity."""
    import numpy as np

    with Memory.open(db) as mem:
        if mem.store.stats()["memories"] == 0:
            print(json.dumps({"ingest": ingest(mem, data)}), flush=True)
        have = copies_held(mem)
        if have < size:
            seeds, vectors = seed_turns(mem, [c.user_id for c in load_locomo(data)])
            seconds = grow(mem, seeds, vectors, have, size, np.random.default_rng(7))
            print(json.dumps({"grown": size - have, "seconds": round(seconds)}), flush=True)
        _mention_everything(mem)


def _mention_everything(mem: Memory) -> None:
    """One entity of scope ``bench`` mentioned by every memory there (once per store)."""
    if mem.store.get_meta("bench_mentions"):
        return
    now = mem.clock.now()
    entity = Entity(new_id(now), BIG_ENTITY, "person", Scope(user_id=SCOPE), now, "bench person")
    mem.store.save_entities([entity])
    for ids in mem.store.iter_ids(Scope(user_id=SCOPE), 10_000):
        mem.store.add_mentions([EntityMention(entity.id, i, "named") for i in ids])
    mem.store.set_meta("bench_mentions", entity.id)


def timed(call: Callable[[], httpx.Response], repeat: int) -> dict[str, Any]:
    timings, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        answer = call()
        timings.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
        size = len(answer.content)
    return {"median_ms": round(statistics.median(timings), 1), "max_ms": round(max(timings), 1),
            "kb": round(size / 1024, 1)}  # fmt: skip


def calls(client: httpx.Client) -> dict[str, Callable[[], httpx.Response]]:
    """Each view's request, as the inspector sends it (scope ``bench``)."""
    scope = {"user_id": SCOPE}
    first = client.get("/v1/timeline", params={**scope, "limit": 50}).json()
    cursor = first["next_cursor"]
    for _ in range(20):  # twenty pages into the conversation
        cursor = client.get("/v1/timeline", params={**scope, "limit": 50, "cursor": cursor}).json()[
            "next_cursor"
        ]
    # a fact of a real conversation (the copies in scope bench were stored without events)
    facts = {"user_id": "locomo:conv-26", "filters": '{"kind": "fact"}', "limit": 1}
    fact = client.get("/v1/memories", params=facts).json()["memories"][0]
    question = {"query": "When did Caroline go to the LGBTQ support group?", **scope}
    return {
        "timeline first page": lambda: client.get("/v1/timeline", params={**scope, "limit": 50}),
        "timeline page 21": lambda: client.get(
            "/v1/timeline", params={**scope, "limit": 50, "cursor": cursor}
        ),
        "lineage": lambda: client.get(f"/v1/memories/{fact['id']}/lineage"),
        "history": lambda: client.get(f"/v1/memories/{fact['id']}/history"),
        "list page": lambda: client.get("/v1/memories", params={**scope, "limit": 100}),
        "entities": lambda: client.get("/v1/entities", params=scope),
        "entity page (every memory mentions it)": lambda: client.get(
            f"/v1/entities/{BIG_ENTITY}", params=scope
        ),
        "profile": lambda: client.get(f"/v1/profiles/{BIG_ENTITY}", params=scope),
        "search": lambda: client.post("/v1/search", json={**question, "k": 10}),
        "context": lambda: client.post("/v1/context", json={**question, "reinforce": False}),
        "admin stats": lambda: client.get("/v1/admin/stats"),
    }


def serve(db: str, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "engramdb", "serve", "--db", db, "--no-auth", "--port", str(port)],
        env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("the server did not get ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/locomo10.json"))
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", help="store file to fill or reuse (default: a temporary file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"{tmp}/inspector.db"
        build(db, args.data, args.size)
        process = serve(db, args.port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{args.port}", timeout=600) as client:
                client.post("/v1/search", json={"query": "warm up", "user_id": SCOPE})
                results = {name: timed(call, args.repeat) for name, call in calls(client).items()}
        finally:
            process.terminate()
            process.wait(timeout=60)
    print(json.dumps({"memories_in_scope": args.size, **results}, indent=2))


if __name__ == "__main__":
    main()
