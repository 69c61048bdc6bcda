"""API keys: who may call a server, and which tenant their requests are confined to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
        """JSON-compatible form; see :mod:`engramdb.model.codec`."""
        from engramdb.model.codec import key_to_dict

        return key_to_dict(self)
