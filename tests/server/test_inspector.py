"""The web inspector is served at /ui, works offline, and reads only the public REST API."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
from tests.server.conftest import Served, engramdb_server

UI = Path(__file__).resolve().parents[2] / "src" / "engramdb" / "server" / "ui"


def test_the_inspector_is_served_with_its_assets(served: Served) -> None:
    client = served.client(None)  # the page itself is public; its data needs a key
    page = client.get("/ui/")
    assert page.status_code == 200 and "engramdb inspector" in page.text
    for asset in ("app.js", "style.css"):
        assert client.get(f"/ui/{asset}").status_code == 200
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"
    assert client.post("/v1/search", json={"query": "x", "user_id": "u"}).status_code == 401


def test_it_needs_nothing_from_the_network_and_calls_only_the_rest_api() -> None:
    for asset in UI.iterdir():
        text = asset.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), asset.name  # no CDN
        assert "http://" not in text and "https://" not in text, asset.name
    script = (UI / "app.js").read_text()
    called = set(re.findall(r"api\(\"[A-Z]+\", [`\"](/[a-z0-9/]+)", script))
    assert called and all(path.startswith("/v1/") for path in called), called


def test_every_form_field_has_a_label() -> None:
    page = (UI / "index.html").read_text()
    fields = re.findall(r"<input id=\"([a-z_-]+)\"", page)
    for field in fields:
        labelled = f'for="{field}"' in page or re.search(
            rf"<label>[^<]*<input id=\"{field}\"", page
        )
        assert labelled, field


def test_engramdb_inspect_serves_a_local_store_without_a_key(tmp_path: Path) -> None:
    db = tmp_path / "agent.db"
    env = {"ENGRAMDB_EMBEDDER": "hash", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "engramdb", "add", "I live in Porto", "--user", "ana",
                    "--db", str(db)], env=env, check=True, capture_output=True)  # fmt: skip
    with engramdb_server("inspect", str(db), "--no-browser", env=env) as base:
        assert httpx.get(f"{base}/ui/").status_code == 200
        found = httpx.post(f"{base}/v1/search", json={"query": "Porto", "user_id": "ana"})
        assert found.status_code == 200 and found.json()["hits"]
