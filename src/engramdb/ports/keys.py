"""Where API keys are kept (by digest, never in clear)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from engramdb.model.keys import ApiKey

__all__ = ["KeyStore"]


class KeyStore(ABC):
    """Stores API keys next to the memories they give access to."""

    @abstractmethod
    def save_key(self, key: ApiKey, digest: str) -> None:
        """Store a new key under the digest of its secret."""

    @abstractmethod
    def key_by_digest(self, digest: str) -> ApiKey | None:
        """The key whose secret has this digest, revoked or not."""

    @abstractmethod
    def list_keys(self, tenant_id: str | None) -> list[ApiKey]:
        """Keys of one tenant (every tenant when ``None``), oldest first."""

    @abstractmethod
    def key_digests(self) -> dict[str, str]:
        """Every key's id and digest, to copy keys into another store."""

    @abstractmethod
    def revoke_key(self, key_id: str, at: datetime) -> ApiKey | None:
        """Mark a key revoked (idempotent); ``None`` when there is no such key."""
