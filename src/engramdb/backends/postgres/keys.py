"""API keys in PostgreSQL (stored hashed)."""

from __future__ import annotations

from datetime import datetime

from engramdb.backends.postgres.connection import PostgresConnection
from engramdb.backends.postgres.rows import key_from_row
from engramdb.model.keys import ApiKey
from engramdb.ports.keys import KeyStore

__all__ = ["PostgresKeys"]


class PostgresKeys(PostgresConnection, KeyStore):
    """Mixed into the store: the api_keys table."""

    def save_key(self, key: ApiKey, digest: str) -> None:
        """Store a new key under its digest."""
        self._run(
            "INSERT INTO api_keys (id, digest, prefix, tenant_id, name, admin, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (key.id, digest, key.prefix, key.tenant_id, key.name, key.admin, key.created_at),
        )

    def key_by_digest(self, digest: str) -> ApiKey | None:
        """The key with this digest."""
        rows = self._rows("SELECT * FROM api_keys WHERE digest = %s", (digest,))
        return key_from_row(rows[0]) if rows else None

    def list_keys(self, tenant_id: str | None) -> list[ApiKey]:
        """Keys of a tenant, or all."""
        if tenant_id is None:
            rows = self._rows("SELECT * FROM api_keys ORDER BY created_at, id")
        else:
            rows = self._rows(
                "SELECT * FROM api_keys WHERE tenant_id = %s ORDER BY created_at, id", (tenant_id,)
            )
        return [key_from_row(r) for r in rows]

    def key_digests(self) -> dict[str, str]:
        """Every key's id and digest, to copy keys into another store."""
        return {r["id"]: r["digest"] for r in self._rows("SELECT id, digest FROM api_keys")}

    def revoke_key(self, key_id: str, at: datetime) -> ApiKey | None:
        """Revoke a key (idempotent)."""
        self._run(
            "UPDATE api_keys SET revoked_at = %s WHERE id = %s AND revoked_at IS NULL", (at, key_id)
        )
        rows = self._rows("SELECT * FROM api_keys WHERE id = %s", (key_id,))
        return key_from_row(rows[0]) if rows else None
