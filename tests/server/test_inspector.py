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
    own = [asset for asset in UI.iterdir() if asset.is_file()]
    vendored = list((UI / "vendor").iterdir())
    for asset in own:
        text = asset.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), asset.name  # no CDN
        assert "http://" not in text and "https://" not in text, asset.name
    scripts = "\n".join(a.read_text() for a in own if a.suffix == ".js")
    assert "fetch(" in scripts and scripts.count("fetch(") == 1  # one data path: api()
    called = set(re.findall(r"api\(\"[A-Z]+\", [`\"](/[a-z0-9/{}_]+)", scripts))
    called |= set(re.findall(r"path\(\"(/[a-z0-9/{}_]+)", scripts))
    assert len(called) >= 10 and all(path.startswith("/v1/") for path in called), called
    # the graph library is vendored whole, with its licence, and loads nothing itself
    assert {v.name for v in vendored} == {"cytoscape.min.js", "cytoscape.LICENSE.txt"}
    library = (UI / "vendor" / "cytoscape.min.js").read_text()
    assert "fetch(" not in library and "XMLHttpRequest" not in library


def test_every_asset_is_served(served: Served) -> None:
    client = served.client(None)
    for asset in [*UI.iterdir(), *(UI / "vendor").iterdir()]:
        if asset.is_file():
            name = asset.relative_to(UI).as_posix()
            assert client.get(f"/ui/{name}").status_code == 200, name


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
