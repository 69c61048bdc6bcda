"""Chat completions from any OpenAI-compatible server.

OpenAI, Azure, vLLM, Ollama, LM Studio, llama.cpp: plain HTTP (httpx), no SDK.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from engramdb.errors import ConfigError, LLMError, LLMUnavailable
from engramdb.ports.llm import ChatReply, Message
from engramdb.providers.llm.tokens import count_tokens

__all__ = ["OpenAICompatible"]

RETRYABLE = {408, 409, 425, 429, 500, 502, 503, 504}


class OpenAICompatible:
    """A chat model behind ``POST {base_url}/chat/completions``.

    Args:
        base_url: e.g. ``https://api.openai.com/v1``, ``http://localhost:11434/v1``
            (Ollama) or ``http://localhost:8000/v1`` (vLLM).
        model: the model name on that server.
        api_key: sent as a bearer token when given.
        timeout: seconds for the whole call, the body included: a server that
            trickles its answer is cut off at this deadline.
        max_concurrency: calls in flight at once from this client (threads wait).
        temperature: sampling temperature (0 for repeatable extraction).
        json_mode: ask for ``response_format: json_object`` when JSON is wanted; turn
            off for servers that reject it (the answer is still parsed tolerantly).
        input_price: currency units per million input tokens, for :meth:`Memory.usage`.
        output_price: per million output tokens.
        headers: extra headers (e.g. ``{"api-key": ...}`` for Azure).
        transport: an httpx transport (for tests).
    """

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_concurrency: int = 4,
        temperature: float = 0.0,
        json_mode: bool = True,
        input_price: float = 0.0,
        output_price: float = 0.0,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"LLM base_url must be an http(s) URL, got {base_url!r}")
        if not model:
            raise ConfigError("LLM model name is required")
        if timeout <= 0 or max_concurrency < 1:
            raise ConfigError("LLM timeout must be positive and max_concurrency at least 1")
        self.name = f"openai-compatible:{model}"
        self.model = model
        self.input_price = input_price
        self.output_price = output_price
        self.timeout = timeout
        self.temperature = temperature
        self.json_mode = json_mode
        sent = dict(headers or {})
        if api_key:
            sent["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=sent, timeout=timeout, transport=transport
        )
        self._slots = threading.BoundedSemaphore(max_concurrency)

    def chat(self, messages: Sequence[Message], *, json_output: bool = True) -> ChatReply:
        """One completion. See :class:`~engramdb.ports.llm.ChatModel`."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [dict(m) for m in messages],
            "temperature": self.temperature,
        }
        if json_output and self.json_mode:
            body["response_format"] = {"type": "json_object"}
        with self._slots:
            status, headers, raw = self._post(body)
        if status != 200:
            raise _status_error(status, headers, raw)
        return _reply(raw, messages, self.model)

    def _post(self, body: dict[str, Any]) -> tuple[int, httpx.Headers, bytes]:
        """POST and read the whole body before the deadline."""
        deadline = time.monotonic() + self.timeout
        try:
            with self._client.stream("POST", "/chat/completions", json=body) as response:
                chunks = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise LLMUnavailable(f"LLM answer took longer than {self.timeout}s")
                return response.status_code, response.headers, b"".join(chunks)
        except httpx.TimeoutException as exc:
            raise LLMUnavailable(f"LLM call timed out after {self.timeout}s") from exc
        except httpx.HTTPError as exc:
            raise LLMUnavailable(f"cannot reach the LLM server: {exc}") from exc

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


def _status_error(status: int, headers: httpx.Headers, raw: bytes) -> LLMError:
    detail = raw[:300].decode("utf-8", "replace")
    message = f"LLM server answered {status}: {detail}"
    if status in RETRYABLE:
        return LLMUnavailable(message, status=status, retry_after_s=_retry_after(headers))
    return LLMError(message, status=status)


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from ``Retry-After`` (seconds or an HTTP date), if the server sent it."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _reply(raw: bytes, messages: Sequence[Message], model: str) -> ChatReply:
    """The assistant message and usage; usage counted locally when the server omits it."""
    try:
        envelope = json.loads(raw)
        text = envelope["choices"][0]["message"]["content"] or ""
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMUnavailable(f"malformed chat-completions response: {raw[:200]!r}") from exc
    usage = envelope.get("usage") or {}
    prompt = usage.get("prompt_tokens")
    completion = usage.get("completion_tokens")
    if not isinstance(prompt, int):
        prompt = sum(count_tokens(m.get("content", "")) for m in messages)
    if not isinstance(completion, int):
        completion = count_tokens(text)
    return ChatReply(str(text), str(envelope.get("model") or model), prompt, completion)
