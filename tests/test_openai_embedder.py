"""The OpenAI-compatible embedder against a scripted server on 127.0.0.1 (real HTTP)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from engramdb import EmbeddingError, Memory
from engramdb.providers.embedders.openai_compat import OpenAICompatibleEmbedder


class Script:
    def __init__(self) -> None:
        self.replies: list[tuple[int, object]] = []
        self.requests: list[dict] = []  # type: ignore[type-arg]


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            script.requests.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), **body}
            )
            status, payload = script.replies.pop(0) if script.replies else (200, None)
            if payload is None:
                payload = {
                    "data": [
                        {"index": i, "embedding": [float(len(t)), 1.0, 0.0]}
                        for i, t in enumerate(body["input"])
                    ]
                }
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", script
    httpd.shutdown()
    httpd.server_close()


def _embedder(url: str) -> OpenAICompatibleEmbedder:
    return OpenAICompatibleEmbedder(base_url=url, model="emb", dimensions=3, api_key="k", retries=1)


def test_embeds_through_http_and_powers_search(server) -> None:  # type: ignore[no-untyped-def]
    url, script = server
    embedder = _embedder(url)
    with Memory.open(":memory:", embedder=embedder) as mem:
        mem.add("hello there", user_id="u")
        assert mem.search("hello", user_id="u")[0].memory.text == "hello there"
    assert script.requests[0]["path"] == "/v1/embeddings"
    assert script.requests[0]["auth"] == "Bearer k" and script.requests[0]["model"] == "emb"
    embedder.close()


def test_retries_transient_errors_then_fails_cleanly(server) -> None:  # type: ignore[no-untyped-def]
    url, script = server
    embedder = _embedder(url)
    script.replies = [(429, {"error": "slow down"})]
    assert embedder.embed("x").shape == (3,)
    script.replies = [(500, {}), (503, {})]
    with pytest.raises(EmbeddingError, match="503"):
        embedder.embed("y")  # texts not embedded before: a repeat is answered from the cache
    script.replies = [(200, {"data": "nonsense"})]
    with pytest.raises(EmbeddingError, match="malformed"):
        embedder.embed("z")
    script.replies = [(400, {"error": "bad model"})]
    with pytest.raises(EmbeddingError, match="400"):
        embedder.embed("w")
    embedder.close()


def test_failed_embedding_stores_nothing(server) -> None:  # type: ignore[no-untyped-def]
    url, script = server
    with Memory.open(":memory:", embedder=_embedder(url)) as mem:
        script.replies = [(500, {}), (500, {})]
        with pytest.raises(EmbeddingError):
            mem.add("lost?", user_id="u")
        assert mem.stats()["memories"] == 0
