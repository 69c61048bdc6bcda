"""Who is calling: the API key, the tenant it confines requests to, and admin rights."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from engramdb.engine import Memory
from engramdb.errors import PermissionDenied
from engramdb.keys import KeyRing
from engramdb.model.keys import ApiKey

__all__ = ["AdminKeys", "Caller", "TenantMemory"]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API key made with `engramdb keys create` (Authorization: Bearer edb_...).",
)


def _caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> ApiKey | None:
    """The key of the request; ``None`` when the server runs without authentication."""
    if not request.app.state.auth:
        return None
    memory: Memory = request.app.state.memory
    key = memory.keys.verify(credentials.credentials if credentials else None)
    request.state.tenant_id = key.tenant_id
    return key


Caller = Annotated[ApiKey | None, Depends(_caller)]


def _tenant_memory(request: Request, key: Caller) -> Memory:
    """The engine confined to the caller's tenant (the whole store without authentication)."""
    memory: Memory = request.app.state.memory
    return memory if key is None else memory.for_tenant(key.tenant_id)


def _admin_keys(request: Request, key: Caller) -> KeyRing:
    """The key ring, for admin keys only."""
    if key is not None and not key.admin:
        raise PermissionDenied("this needs an admin key")
    memory: Memory = request.app.state.memory
    return memory.keys


TenantMemory = Annotated[Memory, Depends(_tenant_memory)]
AdminKeys = Annotated[KeyRing, Depends(_admin_keys)]
