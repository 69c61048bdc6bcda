"""API keys in the SQLite store."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from engramdb.backends.sqlite._errors import guarded
from engramdb.backends.sqlite._rows import to_db_time
from engramdb.model.codec import dt_from_iso
from engramdb.model.keys import ApiKey
from engramdb.ports.keys import KeyStore

__all__ = ["SQLiteKeys"]

_SELECT = "SELECT id, prefix, tenant_id, name, admin, created_at, revoked_at FROM api_keys"


def _key(row: sqlite3.Row) -> ApiKey:
    created = dt_from_iso(row[5])
    assert created is not None  # NOT NULL column
    return ApiKey(row[0], row[1], row[2], row[3], bool(row[4]), created, dt_from_iso(row[6]))


class SQLiteKeys(KeyStore):
    """Mixed into the SQLite store; uses its connection and unit of work."""

    _conn: sqlite3.Connection
    atomic: Callable[[], AbstractContextManager[None]]

    @guarded
    def save_key(self, key: ApiKey, digest: str) -> None:
        """Store a new key under the digest of its secret."""
        with self.atomic():
            self._conn.execute(
                "INSERT INTO api_keys (id, digest, prefix, tenant_id, name, admin, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key.id, digest, key.prefix, key.tenant_id, key.name, int(key.admin),
                 to_db_time(key.created_at)),
            )  # fmt: skip

    @guarded
    def key_by_digest(self, digest: str) -> ApiKey | None:
        """The key whose secret has this digest, revoked or not."""
        row = self._conn.execute(f"{_SELECT} WHERE digest = ?", (digest,)).fetchone()
        return None if row is None else _key(row)

    @guarded
    def list_keys(self, tenant_id: str | None) -> list[ApiKey]:
        """Keys of one tenant (every tenant when ``None``), oldest first."""
        if tenant_id is None:
            rows = self._conn.execute(f"{_SELECT} ORDER BY created_at, id")
        else:
            rows = self._conn.execute(
                f"{_SELECT} WHERE tenant_id = ? ORDER BY created_at, id", (tenant_id,)
            )
        return [_key(row) for row in rows]

    @guarded
    def key_digests(self) -> dict[str, str]:
        """Every key's id and digest, to copy keys into another store."""
        return dict(self._conn.execute("SELECT id, digest FROM api_keys").fetchall())

    @guarded
    def revoke_key(self, key_id: str, at: datetime) -> ApiKey | None:
        """Mark a key revoked (idempotent); ``None`` when there is no such key."""
        with self.atomic():
            self._conn.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (to_db_time(at), key_id),
            )
            row = self._conn.execute(f"{_SELECT} WHERE id = ?", (key_id,)).fetchone()
        return None if row is None else _key(row)
