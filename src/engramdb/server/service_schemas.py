"""Response bodies of the admin routes (API keys, tenants), of status probes and of errors."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ErrorDetail",
    "ErrorOut",
    "KeyCreatedOut",
    "KeyOut",
    "KeysOut",
    "StatsOut",
    "StatusOut",
    "TenantOut",
    "TenantsOut",
]


class KeyOut(BaseModel):
    """An API key, without its secret."""

    id: str
    prefix: str
    tenant_id: str
    name: str
    admin: bool
    created_at: datetime
    revoked_at: datetime | None


class KeyCreatedOut(BaseModel):
    """A new key and its secret: shown this once, store it now."""

    key: KeyOut
    secret: str


class KeysOut(BaseModel):
    """API keys, oldest first."""

    keys: list[KeyOut]


class TenantOut(BaseModel):
    """A tenant and how many valid keys it has."""

    tenant_id: str
    active_keys: int


class TenantsOut(BaseModel):
    """Every tenant that has a key."""

    tenants: list[TenantOut]


class StatsOut(BaseModel):
    """The whole store's counts: memories by kind and status, indexes, size on disk."""

    model_config = ConfigDict(extra="allow")  # a backend may report more

    location: str
    memories: int
    by_kind: dict[str, int]
    by_status: dict[str, int]
    users: int
    sessions: int
    vectors: int
    events: int
    embedder: str


class StatusOut(BaseModel):
    """Health or readiness."""

    status: str


class ErrorDetail(BaseModel):
    """What went wrong."""

    type: str = Field(description="Exception class, e.g. NotFound or InvalidInput.")
    message: str
    field: str | None = Field(None, description="The input field at fault.")
    index: int | None = Field(None, description="Position of the bad item in a batch.")
    memory_id: str | None = Field(None, description="The id (or name) that was not found.")
    what: str | None = Field(None, description="What was not found: memory, entity, API key.")
    request_id: str | None = None


class ErrorOut(BaseModel):
    """Every error response has this body."""

    error: ErrorDetail
