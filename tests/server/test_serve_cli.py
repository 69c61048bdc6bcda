"""`engramdb serve` and `engramdb keys` as a user runs them: real processes, real HTTP, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from tests.conftest import fresh_postgres
from tests.server.conftest import free_port, wait_ready

from engramdb import Memory
from engramdb.cli.main import cli
from engramdb.client import RemoteMemory
from engramdb.testing import HashEmbedder

ENV = {"ENGRAMDB_EMBEDDER": "hash"}


def _keys(db: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["keys", *args, "--db", str(db)], env=ENV)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    secret = _keys(db, "create", "--tenant", "acme", "--name", "ci")
    assert secret.startswith("edb_")
    listed = _keys(db, "list")
    assert "tenant=acme" in listed and secret not in listed and "active" in listed
    key_id = listed.split()[0]
    assert "revoked" in _keys(db, "revoke", key_id)
    bad = CliRunner().invoke(cli, ["keys", "create", "--tenant", "", "--db", str(db)], env=ENV)
    assert bad.exit_code == 2 and "tenant_id" in bad.output


def test_serve_refuses_without_keys_and_no_auth_off_loopback(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["serve", "--db", str(tmp_path / "s.db")], env=ENV)
    assert result.exit_code == 2 and "keys create" in result.output
    result = runner.invoke(cli, ["serve", "--no-auth", "--host", "0.0.0.0"], env=ENV)
    assert result.exit_code == 2 and "loopback" in result.output
    sqlite = ["serve", "--db", str(tmp_path / "w.db"), "--no-auth", "--workers", "2"]
    result = runner.invoke(cli, sqlite, env=ENV)
    assert result.exit_code == 2 and "--workers needs PostgreSQL" in result.output


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, str, Path]]:
    db = tmp_path / "s.db"
    secret = _keys(db, "create", "--tenant", "acme")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "engramdb", "serve", "--db", str(db), "--port", str(port)],
            env={**os.environ, **ENV},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    wait_ready(url)
    yield process, url, secret, log
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_finishes_in_flight_writes(
    server: tuple[subprocess.Popen[bytes], str, str, Path],
) -> None:
    process, url, secret, log = server
    turns = [f"I visited city number {i} with my sister Ana last May" for i in range(5)]
    items = [{"messages": [{"content": t} for t in turns], "user_id": "u"}] * 100
    outcome: dict[str, object] = {}

    def write() -> None:
        with RemoteMemory(url, api_key=secret, timeout=120) as remote:
            outcome["stored"] = sum(len(r) for r in remote.add_batch(items))

    idle = _cpu_seconds(process.pid)
    writer = threading.Thread(target=write)
    writer.start()
    # the signal must come while the batch is being processed: once the server has
    # spent some CPU on it (a fixed sleep raced a busy machine, where the request had
    # not yet arrived and the server shut down without it)
    deadline = time.monotonic() + 60
    while _cpu_seconds(process.pid) - idle < 0.2 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    writer.join(timeout=120)
    # uvicorn re-raises the signal once it has shut down gracefully
    assert process.wait(timeout=60) in (0, -signal.SIGTERM)
    assert outcome.get("stored") == 500
    with Memory.open(log.parent / "s.db", embedder=HashEmbedder(), understand=False) as mem:
        episodes = mem.for_tenant("acme").get_all(
            user_id="u", filters={"kind": "episode"}, limit=1000
        )
        assert len(episodes.memories) == 500 and episodes.next_cursor is None
    lines = log.read_text().splitlines()
    assert any('"path": "/v1/memories/batch"' in line and '"status": 201' in line for line in lines)


def _cpu_seconds(pid: int) -> float:
    """The CPU time a process has used so far (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _serving(url: str, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_share_one_port_and_one_postgres_database(tmp_path: Path) -> None:
    dsn = fresh_postgres()
    port = free_port()
    command = [sys.executable, "-m", "engramdb", "serve", "--db", dsn, "--no-auth"]
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--workers", "2"],
            env={**os.environ, **ENV},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        assert _serving(url, process), log.read_text()
        deadline = time.monotonic() + 30  # both workers start their engines on their own
        while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_children(process.pid)) >= 2
        remotes = [RemoteMemory(url) for _ in range(4)]
        for n, remote in enumerate(remotes):  # fresh connections: spread over the workers
            remote.add(f"note {n} about kayaks", user_id="u")
        assert len(remotes[0].get_all(user_id="u").memories) == 4
        for remote in remotes:
            remote.close()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) in (0, -signal.SIGTERM)
