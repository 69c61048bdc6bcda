"""The one table mapping engramdb's exception tree to HTTP statuses, and its handlers."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from engramdb.errors import (
    BackendUnavailable,
    CapabilityMissing,
    ConfigError,
    Conflict,
    EngramError,
    InvalidInput,
    LLMError,
    NotFound,
    PermissionDenied,
    StoreLocked,
    Unauthenticated,
)
from engramdb.server.service_schemas import ErrorOut

__all__ = ["ERROR_RESPONSES", "STATUS_OF", "error_response", "install_error_handlers"]

log = logging.getLogger("engramdb.server")

# Most specific first; anything else from the tree is a 500 (a bug or a failing store).
STATUS_OF: tuple[tuple[type[EngramError], int], ...] = (
    (Unauthenticated, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (ConfigError, 400),
    (CapabilityMissing, 501),
    (LLMError, 502),
    (StoreLocked, 503),
    (BackendUnavailable, 503),
)

_DESCRIPTIONS = {
    401: "No API key, or an unknown or revoked one.",
    403: "The key may not do this.",
    404: "No such memory or entity in this tenant.",
    409: "An id that already exists.",
    413: "The request body is too large.",
    422: "The request is malformed or a value is out of range.",
    501: "The feature needs something the server does not have (e.g. an LLM).",
    502: "The LLM failed (after retries).",
    503: "The store is unavailable.",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text} for status, text in _DESCRIPTIONS.items()
}


def error_response(
    status: int,
    kind: str,
    message: str,
    request: Request | None = None,
    **extra: Any,
) -> JSONResponse:
    """The JSON error body every failure returns."""
    request_id = getattr(request.state, "request_id", None) if request else None
    error = {"type": kind, "message": message, "field": None, "request_id": request_id}
    body = {"error": {**error, **extra}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def _status(exc: EngramError) -> int:
    return next((status for cls, status in STATUS_OF if isinstance(exc, cls)), 500)


async def _engram_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EngramError)
    status = _status(exc)
    if status in (502, 503):  # the LLM or the store failed: worth a line, not a traceback
        log.warning("request refused: %s: %s", type(exc).__name__, exc)
    elif status >= 500 and status != 501:  # 501 is a refusal like a 4xx (no LLM, say)
        log.error("request failed", exc_info=exc)
    fields: dict[str, Any] = {}
    if isinstance(exc, InvalidInput):
        fields = {"field": exc.field, "index": exc.index}
    elif isinstance(exc, NotFound):
        fields = {"memory_id": exc.memory_id, "what": exc.what}
    return error_response(status, type(exc).__name__, str(exc), request, **fields)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()))
    message = f"{where}: {first.get('msg', 'invalid request')}" if where else "invalid request"
    return error_response(422, "InvalidInput", message, request, field=where or None)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:  # a body that is not JSON at all: malformed input, like the rest
        return error_response(422, "InvalidInput", str(exc.detail), request, field="body")
    return error_response(exc.status_code, "HTTPError", str(exc.detail), request)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error", exc_info=exc)
    return error_response(500, "InternalError", "internal error", request)


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception through the table above."""
    app.add_exception_handler(EngramError, _engram_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
