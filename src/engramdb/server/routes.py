"""Memory endpoints, one per declared operation (:mod:`engramdb.api`).

Each route parses its input (a body or query built from the declaration), calls the
``Memory`` method of the same name, and sends the result in its JSON form
(:func:`engramdb.wire.to_wire`). Export and import, which stream, are written here.
"""

from __future__ import annotations

import inspect
import io
import json
import tempfile
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from engramdb import api
from engramdb.api_schema import request_model, wire_type
from engramdb.errors import InvalidInput
from engramdb.server import schemas
from engramdb.server.auth import TenantMemory
from engramdb.server.errors import ERROR_RESPONSES
from engramdb.server.schemas import ImportedOut
from engramdb.wire import to_wire

__all__ = ["router"]

router = APIRouter(responses=ERROR_RESPONSES)

NDJSON = "application/x-ndjson"
PREFIX = "/v1"  # the probes (/ready: api.ping) are the app's own
IDEMPOTENCY_HEADER = Header(
    alias="Idempotency-Key",
    min_length=1,
    max_length=api.MAX_ID_CHARS,
    description="A key of the client's choosing: a retry with the same key returns the"
    " original result and stores nothing new (keys are kept 7 days).",
)


def _filters(raw: str, name: str) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a JSON object: {exc}", field=name) from exc
    if not isinstance(parsed, dict):
        raise InvalidInput(f"{name} must be a JSON object", field=name)
    return parsed


def _query(param: api.Param) -> inspect.Parameter:
    """A declared parameter as a query parameter (a JSON object goes as a JSON string)."""
    doc = param.doc or None
    if param.is_object:
        annotation: Any = Annotated[str | None, Query(description=f"{doc} As JSON.")]
    else:
        annotation = Annotated[wire_type(param), Query(description=doc)]
    default = inspect.Parameter.empty if param.required else param.default
    return inspect.Parameter(param.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=annotation)  # fmt: skip


#: the operations that understand what they store: they wait for one of the ingest slots
INGESTING = frozenset({"add", "add_batch", "add_trajectory"})


def _endpoint(op: api.Operation, route: api.Route) -> Callable[..., Any]:
    path_names = route.path_params
    rest = [p for p in op.remote_params if p.name not in path_names]
    header = route.idempotent and any(p.name == "idempotency_key" for p in rest)
    rest = [p for p in rest if not (header and p.name == "idempotency_key")]
    in_body = route.method in ("POST", "PATCH") and bool(rest)
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [inspect.Parameter("mem", kw, annotation=TenantMemory)]
    params += [inspect.Parameter(name, kw, annotation=str) for name in path_names]
    if in_body:
        params.append(inspect.Parameter("body", kw, annotation=request_model(op, rest)))
    else:
        params += [_query(p) for p in rest]
    if header:
        params.append(inspect.Parameter(
            "idempotency_key", kw, default=None,
            annotation=Annotated[str | None, IDEMPOTENCY_HEADER],
        ))  # fmt: skip
    as_json = [p.name for p in rest if not in_body and p.is_object]
    ingesting = op.name in INGESTING
    if ingesting:
        params.append(inspect.Parameter("request", kw, annotation=Request))

    def endpoint(**kwargs: Any) -> Any:
        if ingesting:
            with kwargs.pop("request").app.state.ingest_slots:
                return answer(**kwargs)
        return answer(**kwargs)

    def answer(**kwargs: Any) -> Any:
        mem = kwargs.pop("mem")
        body = kwargs.pop("body", None)
        args = {k: v for k, v in kwargs.items() if v is not None}
        args.update({} if body is None else body.model_dump(exclude_none=True))
        args.update({name: _filters(args[name], name) for name in as_json if name in args})
        found = to_wire(getattr(mem, op.name)(**args), op.returns)
        return found if route.envelope is None else {route.envelope: found}

    endpoint.__name__ = op.name
    endpoint.__doc__ = op.doc
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return endpoint


def _add_routes() -> None:
    for op in api.OPERATIONS.values():
        route = op.route
        if route is None or route.streaming or not route.path.startswith(PREFIX):
            continue
        router.add_api_route(
            route.path,
            _endpoint(op, route),
            methods=[route.method],
            status_code=route.status,
            response_model=None if route.response is None else getattr(schemas, route.response),
            tags=list(dict.fromkeys(("memories", *route.tags))),
            operation_id=op.name.strip("_"),  # the Python method's name
            summary=op.name.strip("_").replace("_", " ").capitalize(),
        )


_add_routes()


@router.get(
    "/v1/export",
    response_class=StreamingResponse,
    responses={200: {"content": {NDJSON: {"schema": {"type": "string"}}}}},
    tags=["memories", "portability"],
)
def export(mem: TenantMemory) -> StreamingResponse:
    """The tenant's whole memory as JSON Lines (memories, vectors, history, graph)."""
    # closed by the generator once the response is sent
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")  # noqa: SIM115
    mem.export(spool)
    spool.seek(0)

    def lines() -> Iterator[str]:
        with spool:
            yield from spool

    return StreamingResponse(lines(), media_type=NDJSON)


@router.post(
    "/v1/import",
    response_model=ImportedOut,
    status_code=201,
    openapi_extra={
        "requestBody": {"required": True, "content": {NDJSON: {"schema": {"type": "string"}}}}
    },
    tags=["memories", "portability"],
)
async def import_(request: Request, mem: TenantMemory) -> dict[str, Any]:
    """Load an export (JSON Lines) into the tenant; all or nothing."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the export must be UTF-8 text", field="body") from exc
    return {"imported": await run_in_threadpool(_import_in_slot, request, mem, text)}


def _import_in_slot(request: Request, mem: TenantMemory, text: str) -> int:
    with request.app.state.ingest_slots:
        return mem.import_(io.StringIO(text))
