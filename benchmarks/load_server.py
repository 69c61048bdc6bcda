"""Load test of ``engramdb serve`` on loopback: concurrent clients mixing adds and searches.

Usage::

    python benchmarks/load_server.py --clients 16 --seconds 60 [--embedder hash]
    python benchmarks/load_server.py --clients 16 --db postgresql://.../load --workers 2
    python benchmarks/load_server.py --clients 16 --db /tmp/filled.db  # a store of any size

Starts ``engramdb serve`` (default embedder and parser unless ``--embedder`` is given)
with two tenants: on a temporary SQLite file by default; with ``--db`` on that store
(a SQLite file, or a PostgreSQL database served by ``--workers`` processes sharing
the port: the scale-out shape, stateless servers over one database). The clients'
users are new, so a filled store measures search over its indexes' full size.
Each client is a thread with its own
``RemoteMemory`` and its own user; it loops for the duration, adding one message
(half the calls) or searching its own memories (the other half). Afterwards every
client's memories are counted through the API: each acknowledged add must be
there exactly once (no lost, no duplicated write). Prints JSON: calls, errors,
lost / duplicated writes, throughput, and p50 / p95 / p99 latency per operation.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from engramdb.client import RemoteMemory

SENTENCES = [
    "I went hiking near {place} with my sister last weekend",
    "My dog {name} loves the beach at {place}",
    "I started a new job as a nurse in {place}",
    "We had dinner with {name} to celebrate her birthday",
    "I am reading a book about the history of {place}",
]
PLACES = ["Lisbon", "Boston", "Oslo", "Kyoto", "Lima", "Accra", "Perth", "Quebec"]
NAMES = ["Max", "Luna", "Ana", "Joe", "Mia", "Sam"]
QUESTIONS = ["Where did I go hiking?", "What is my dog called?", "What is my job?", "birthday"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _create_key(db: str, tenant: str, env: dict[str, str]) -> str:
    command = [sys.executable, "-m", "engramdb", "keys", "create", "--db", db]
    done = subprocess.run(
        [*command, "--tenant", tenant], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _wait_ready(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not become ready")


class Client(threading.Thread):
    """One user hammering the server until the deadline."""

    def __init__(self, url: str, key: str, user: str, deadline: float, seed: int) -> None:
        super().__init__()
        self.remote = RemoteMemory(url, api_key=key, timeout=120)
        self.user, self.deadline, self.rng = user, deadline, random.Random(seed)
        self.latency: dict[str, list[float]] = {"add": [], "search": []}
        self.acknowledged: list[str] = []
        self.errors: list[str] = []

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            operation = "add" if self.rng.random() < 0.5 else "search"
            started = time.perf_counter()
            try:
                if operation == "add":
                    text = self.rng.choice(SENTENCES).format(
                        place=self.rng.choice(PLACES), name=self.rng.choice(NAMES)
                    )
                    stored = self.remote.add([{"content": text}], user_id=self.user)
                    self.acknowledged.append(stored[0].id)
                else:
                    self.remote.search(self.rng.choice(QUESTIONS), user_id=self.user, k=10)
            except Exception as exc:  # counted and reported, never hidden
                self.errors.append(f"{operation}: {type(exc).__name__}: {exc}")
                continue
            self.latency[operation].append((time.perf_counter() - started) * 1000)

    def stored_episode_ids(self) -> list[str]:
        ids: list[str] = []
        cursor = None
        while True:
            page = self.remote.get_all(user_id=self.user, limit=1000, cursor=cursor)
            ids += [m.id for m in page.memories if m.kind == "episode"]
            if page.next_cursor is None:
                return ids
            cursor = page.next_cursor


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    at = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)  # noqa: E731
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
    }


def run(
    clients: int, seconds: float, embedder: str | None, db: str | None, workers: int
) -> dict[str, Any]:
    env = {**os.environ, **({"ENGRAMDB_EMBEDDER": embedder} if embedder else {})}
    with tempfile.TemporaryDirectory() as tmp:
        db = db or str(Path(tmp) / "load.db")
        keys = {t: _create_key(db, t, env) for t in ("acme", "globex")}
        log = (Path(tmp) / "serve.log").open("w")
        url = f"http://127.0.0.1:{_free_port()}"
        process = subprocess.Popen(
            [sys.executable, "-m", "engramdb", "serve", "--db", db, "--port", url.rsplit(":", 1)[1],
             "--log-level", "warning", "--workers", str(workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_ready(url)
            deadline = time.monotonic() + seconds
            threads = [
                Client(url, keys["acme" if i % 2 else "globex"], f"user-{i}", deadline, seed=i)
                for i in range(clients)
            ]  # fmt: skip
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            lost = duplicated = 0
            for thread in threads:
                stored = thread.stored_episode_ids()
                lost += len(set(thread.acknowledged) - set(stored))
                duplicated += len(stored) - len(set(stored))
                duplicated += len(set(stored) - set(thread.acknowledged))
        finally:
            process.terminate()
            process.wait(timeout=60)
            log.close()
    latency = {op: [v for t in threads for v in t.latency[op]] for op in ("add", "search")}
    errors = [e for t in threads for e in t.errors]
    return {
        "clients": clients,
        "store": "postgresql" if db and "://" in db else "sqlite",
        "workers": workers,
        "seconds": round(elapsed, 1),
        "embedder": embedder or "default (MiniLM)",
        "calls": sum(len(v) for v in latency.values()) + len(errors),
        "errors": len(errors),
        "error_samples": errors[:5],
        "acknowledged_adds": sum(len(t.acknowledged) for t in threads),
        "lost_writes": lost,
        "duplicated_writes": duplicated,
        "calls_per_s": round(sum(len(v) for v in latency.values()) / elapsed, 1),
        "add": _percentiles(latency["add"]),
        "search": _percentiles(latency["search"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--embedder", help="registered embedder name, e.g. hash (default: MiniLM)")
    parser.add_argument("--db", help="a store to serve (default: a new SQLite file)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL)")
    args = parser.parse_args()
    if args.workers > 1 and not (args.db and "://" in args.db):
        parser.error("--workers > 1 needs a PostgreSQL --db: a SQLite file has one writer")
    report = run(args.clients, args.seconds, args.embedder, args.db, args.workers)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
