"""Admin endpoints: API keys, tenants and the whole store's counts (admin keys only)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from engramdb.server.auth import AdminKeys
from engramdb.server.errors import ERROR_RESPONSES
from engramdb.server.schemas import ConsolidationStatusOut, KeyIn
from engramdb.server.service_schemas import KeyCreatedOut, KeyOut, KeysOut, StatsOut, TenantsOut

__all__ = ["router"]

router = APIRouter(prefix="/v1/admin", responses=ERROR_RESPONSES, tags=["admin"])


@router.post("/keys", status_code=201, response_model=KeyCreatedOut)
def create_key(body: KeyIn, ring: AdminKeys) -> dict[str, Any]:
    """A new API key for a tenant (a new tenant needs nothing else); its secret is shown once."""
    key, secret = ring.create(body.tenant_id, name=body.name, admin=body.admin)
    return {"key": key.to_dict(), "secret": secret}


@router.get("/keys", response_model=KeysOut)
def list_keys(
    ring: AdminKeys, tenant_id: Annotated[str | None, Query(min_length=1, max_length=256)] = None
) -> dict[str, Any]:
    """Keys of one tenant, or of all; revoked ones included."""
    return {"keys": [key.to_dict() for key in ring.list(tenant_id)]}


@router.delete("/keys/{key_id}", response_model=KeyOut)
def revoke_key(key_id: str, ring: AdminKeys) -> dict[str, Any]:
    """Revoke a key: requests made with it fail from now on."""
    return ring.revoke(key_id).to_dict()


@router.get("/consolidation", response_model=ConsolidationStatusOut)
def consolidation(request: Request, _ring: AdminKeys) -> dict[str, Any]:
    """The background consolidation (``engramdb serve --consolidate-every``): its last run."""
    consolidator = request.app.state.consolidator
    if consolidator is None:
        return {"enabled": False}
    return {"enabled": True, **consolidator.status()}


@router.get("/tenants", response_model=TenantsOut)
def tenants(ring: AdminKeys) -> dict[str, Any]:
    """Every tenant that has a key, with its number of valid keys."""
    keys = ring.list()
    active = Counter(k.tenant_id for k in keys if k.revoked_at is None)
    names = dict.fromkeys(k.tenant_id for k in keys)
    return {"tenants": [{"tenant_id": t, "active_keys": active[t]} for t in names]}


@router.get("/stats", response_model=StatsOut)
def stats(request: Request, _ring: AdminKeys) -> dict[str, Any]:
    """Counts and sizes of the whole store (every tenant's memories), and the embedder in use."""
    result: dict[str, Any] = request.app.state.memory.stats()
    return result
