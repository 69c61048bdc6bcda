"""A scripted OpenAI-compatible chat server on 127.0.0.1.

It tests the LLM layer over real HTTP: good answers, malformed JSON, wrong schemas,
429, 500, stalls and trickled bodies, in the order you script them.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from engramdb.providers.llm.tokens import count_tokens

__all__ = ["Reply", "ScriptedLLMServer"]


@dataclass
class Reply:
    """One scripted answer.

    Attributes:
        content: the assistant message (a string or a JSON-able value, dumped).
        status: the HTTP status.
        headers: extra response headers (e.g. ``{"Retry-After": "1"}``).
        delay: seconds to wait before answering (to trip timeouts).
        trickle: seconds between 16-byte body chunks (a slow stream).
        body: a raw body to send instead of a chat-completions envelope.
    """

    content: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0
    body: bytes | None = None


Responder = Callable[[dict[str, Any]], "Reply | str | dict[str, Any] | list[Any]"]


class ScriptedLLMServer:
    """Answers ``POST /v1/chat/completions`` from a script, then from a responder.

    Args:
        responder: called with the request body when the script is empty; returns a
            :class:`Reply`, or a content value (wrapped in a 200 reply).

    Attributes:
        url: the base URL to give a client (``http://127.0.0.1:PORT/v1``).
        requests: every request body received, in order.
    """

    def __init__(self, responder: Responder | None = None) -> None:
        self.script: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.responder = responder
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def push(self, *replies: Reply) -> None:
        """Queue replies for the next requests, in order."""
        with self._lock:
            self.script.extend(replies)

    def __enter__(self) -> ScriptedLLMServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self.script:
                return self.script.popleft()
        if self.responder is None:
            return Reply(status=500, body=b'{"error": "nothing scripted"}')
        answer = self.responder(request)
        return answer if isinstance(answer, Reply) else Reply(content=answer)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                reply = server._next(request)
                time.sleep(reply.delay)
                body = reply.body if reply.body is not None else _envelope(request, reply)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    _write(self.wfile, body, reply.trickle)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout under test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _envelope(request: dict[str, Any], reply: Reply) -> bytes:
    """A chat-completions response with usage counted like the real servers do."""
    content = reply.content
    text = content if isinstance(content, str) else json.dumps(content)
    prompt = sum(count_tokens(str(m.get("content", ""))) for m in request.get("messages", []))
    return json.dumps(
        {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "model": request.get("model", "scripted"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": count_tokens(text),
                "total_tokens": prompt + count_tokens(text),
            },
        }
    ).encode()


def _write(stream: Any, body: bytes, trickle: float) -> None:
    if not trickle:
        stream.write(body)
        return
    for start in range(0, len(body), 16):
        stream.write(body[start : start + 16])
        stream.flush()
        time.sleep(trickle)
