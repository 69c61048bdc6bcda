"""Embeddings from any OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, vLLM, Ollama)."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import numpy as np

from engramdb.errors import ConfigError, EmbeddingError
from engramdb.ports.embedder import Embedder

__all__ = ["OpenAICompatibleEmbedder"]


class OpenAICompatibleEmbedder(Embedder):
    """Calls ``POST {base_url}/embeddings`` with ``{"model", "input"}``.

    Args:
        base_url: e.g. ``"http://localhost:11434/v1"`` for Ollama.
        model: the embedding model name on that server.
        dimensions: the vector size the model returns.
        api_key: sent as a bearer token when given.
        timeout: seconds per request.
        retries: extra attempts on connection errors, 429 and 5xx.
        transport: an httpx transport (for tests).
    """

    batch_size = 128

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        dimensions: int,
        api_key: str | None = None,
        timeout: float = 30.0,
        retries: int = 2,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if dimensions <= 0:
            raise ConfigError("dimensions must be positive")
        self.name = f"openai:{model}"
        self.dimensions = dimensions
        self.retries = retries
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        self._model = model

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """One request per batch; retried on transient failures."""
        last: Exception | None = None
        for _ in range(self.retries + 1):
            try:
                response = self._client.post(
                    "/embeddings", json={"model": self._model, "input": list(texts)}
                )
            except httpx.HTTPError as exc:
                last = exc
                continue
            if response.status_code == 429 or response.status_code >= 500:
                last = EmbeddingError(f"embedding server answered {response.status_code}")
                continue
            if response.status_code != 200:
                raise EmbeddingError(
                    f"embedding server answered {response.status_code}: {response.text[:200]}"
                )
            return _parse(response, len(texts))
        raise EmbeddingError(f"embedding request failed: {last}") from last

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


def _parse(response: httpx.Response, expected: int) -> np.ndarray:
    try:
        items = sorted(response.json()["data"], key=lambda item: item["index"])
        vectors = np.array([item["embedding"] for item in items], dtype=np.float32)
    except (ValueError, KeyError, TypeError) as exc:
        raise EmbeddingError(f"malformed embeddings response: {exc}") from exc
    if len(vectors) != expected:
        raise EmbeddingError(f"expected {expected} embeddings, got {len(vectors)}")
    return vectors
