"""API keys: create, verify and revoke the keys that confine server requests to a tenant.

A key is ``edb_`` followed by 43 random URL-safe characters (256 bits). Only its
SHA-256 digest is stored: a random 256-bit secret needs no slow password hash,
and a leaked store file does not leak usable keys.
"""

from __future__ import annotations

import hashlib
import secrets

from engramdb.errors import InvalidInput, NotFound, PermissionDenied, Unauthenticated
from engramdb.model.ids import new_id
from engramdb.model.keys import ApiKey
from engramdb.model.validation import check_id
from engramdb.ports.clock import Clock
from engramdb.ports.keys import KeyStore

__all__ = ["KeyRing"]

PREFIX = "edb_"
SHOWN_CHARS = 12  # of the secret, kept to recognise a key in listings
MAX_NAME_CHARS = 200


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyRing:
    """The API keys of one store.

    Args:
        store: where the keys (their digests) are kept.
        clock: creation and revocation times.
        tenant_id: confine the ring to one tenant (a tenant view's keys): it creates,
            lists, verifies and revokes that tenant's non-admin keys only.
    """

    def __init__(self, store: KeyStore, clock: Clock, tenant_id: str | None = None) -> None:
        self.store = store
        self.clock = clock
        self.tenant_id = tenant_id

    def create(self, tenant_id: str, *, name: str = "", admin: bool = False) -> tuple[ApiKey, str]:
        """A new key for ``tenant_id``; returns it and its secret (shown this once).

        Raises:
            InvalidInput: bad tenant id or name.
        """
        tenant = check_id(tenant_id, "tenant_id")
        if self.tenant_id is not None and (tenant != self.tenant_id or admin is not False):
            raise PermissionDenied("a tenant's key ring makes non-admin keys of its own tenant")
        if not isinstance(name, str) or len(name) > MAX_NAME_CHARS:
            raise InvalidInput(f"name must be a string of at most {MAX_NAME_CHARS} characters")
        if not isinstance(admin, bool):
            raise InvalidInput("admin must be true or false", field="admin")
        secret = PREFIX + secrets.token_urlsafe(32)
        now = self.clock.now()
        key = ApiKey(new_id(now), secret[:SHOWN_CHARS], tenant, name, admin, now)
        self.store.save_key(key, _digest(secret))
        return key, secret

    def verify(self, secret: str | None) -> ApiKey:
        """The valid key with this secret.

        Raises:
            Unauthenticated: no secret, or an unknown or revoked one.
        """
        if not secret:
            raise Unauthenticated("an API key is required (Authorization: Bearer <key>)")
        key = self.store.key_by_digest(_digest(secret))
        if key is None or key.revoked_at is not None or not self._owns(key):
            raise Unauthenticated("unknown or revoked API key")
        return key

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key; requests made with it fail from now on (idempotent).

        Raises:
            NotFound: no key with that id.
        """
        key_id = check_id(key_id, "key_id")
        if self.tenant_id is not None and key_id not in {k.id for k in self.list()}:
            raise NotFound(key_id, "API key")
        key = self.store.revoke_key(key_id, self.clock.now())
        if key is None:
            raise NotFound(key_id, "API key")
        return key

    def list(self, tenant_id: str | None = None) -> list[ApiKey]:
        """Keys of one tenant, or of every tenant; revoked ones included."""
        tenant = None if tenant_id is None else check_id(tenant_id, "tenant_id")
        if self.tenant_id is not None:
            if tenant not in (None, self.tenant_id):
                return []
            tenant = self.tenant_id
        return self.store.list_keys(tenant)

    def _owns(self, key: ApiKey) -> bool:
        return self.tenant_id is None or key.tenant_id == self.tenant_id

    def has_keys(self) -> bool:
        """Whether any key that is not revoked exists."""
        return any(key.revoked_at is None for key in self.store.list_keys(None))
