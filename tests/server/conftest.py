"""A served engine with API keys for two tenants and an admin, in process and over real HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import T0

from engramdb import Memory
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.server import create_app
from engramdb.testing import FrozenClock, HashEmbedder


@dataclass
class Served:
    """An app around an engine, and the secrets of its keys."""

    memory: Memory
    app: FastAPI
    acme: str
    globex: str
    admin: str

    def client(self, secret: str | None) -> TestClient:
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        return TestClient(self.app, headers=headers, raise_server_exceptions=False)


def serve_memory(memory: Memory, **options: object) -> Served:
    ring = memory.keys
    secrets = [ring.create(t, admin=t == "ops")[1] for t in ("acme", "globex", "ops")]
    return Served(memory, create_app(memory, **options), *secrets)  # type: ignore[arg-type]


@pytest.fixture
def served() -> Iterator[Served]:
    clock = FrozenClock(T0)
    with Memory.open(":memory:", embedder=HashEmbedder(), clock=clock, parser=RulesParser()) as m:
        yield serve_memory(m)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_url(served: Served) -> Iterator[str]:
    """The same app served by uvicorn on a real loopback port."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(served.app, host="127.0.0.1", port=port, log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def wait_ready(url: str, seconds: float = 60) -> None:
    """Wait until the server at ``url`` answers ``/ready`` (or ``seconds`` have passed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)


@contextmanager
def engramdb_server(*args: str, env: dict[str, str]) -> Iterator[str]:
    """``engramdb <args> --port P`` as a real process, ready; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "engramdb", *args, "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
