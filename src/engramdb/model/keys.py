"""API keys: who may call a server, and which tenant their requests are confined to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engramdb.model.codec import dt_to_iso

__all__ = ["ApiKey"]


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One API key, without its secret (only a digest of it is stored).

    Attributes:
        id: stable identifier, used to list and revoke the key.
        prefix: the first characters of the secret, to recognise it.
        tenant_id: every request made with the key is confined to this tenant.
        name: a label chosen by whoever created the key.
        admin: whether the key may also create, list and revoke keys of any tenant.
        created_at: when the key was created.
        revoked_at: when it was revoked (``None``: it is valid).
    """

    id: str
    prefix: str
    tenant_id: str
    name: str
    admin: bool
    created_at: datetime
    revoked_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form."""
        return {
            "id": self.id,
            "prefix": self.prefix,
            "tenant_id": self.tenant_id,
            "name": self.name,
            "admin": self.admin,
            "created_at": dt_to_iso(self.created_at),
            "revoked_at": dt_to_iso(self.revoked_at),
        }
