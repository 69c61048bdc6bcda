"""The REST server: an ASGI app built around one engine.

``create_app(Memory.open("agent.db"))`` serves an open engine (the caller closes it);
``create_app(lambda: Memory.open("agent.db"))`` opens it at startup and closes it at
shutdown, after in-flight requests have finished.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from engramdb import __version__
from engramdb.engine import Memory
from engramdb.server import admin, routes
from engramdb.server.background import Consolidator
from engramdb.server.errors import ERROR_RESPONSES, error_response, install_error_handlers
from engramdb.server.middleware import BodyLimit, JsonBodies, RequestContext
from engramdb.server.service_schemas import StatusOut

__all__ = ["DEFAULT_MAX_BODY_BYTES", "create_app"]

DEFAULT_MAX_BODY_BYTES = 4 << 20

log = logging.getLogger("engramdb.server")

DESCRIPTION = """Long-term memory for LLM agents.

Every request except `/health` and `/ready` needs an API key
(`Authorization: Bearer edb_...`, made with `engramdb keys create`); the key's tenant
confines what the request can see and change. Errors have one body shape:
`{"error": {"type", "message", "field", "request_id"}}`.
"""


def create_app(
    engine: Memory | Callable[[], Memory],
    *,
    auth: bool = True,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    consolidate_every: float | None = None,
    ingest_slots: int = 1,
) -> FastAPI:
    """The REST app serving ``engine``.

    Args:
        engine: an open engine (left open at shutdown), or a function that opens one
            at startup (closed at shutdown).
        auth: require API keys; ``False`` serves the whole store to anyone who can
            connect (for local development only).
        max_body_bytes: larger request bodies get 413.
        consolidate_every: consolidate the whole store in the background every this
            many seconds (``None``: only when asked, ``POST /v1/consolidate``).
        ingest_slots: how many ingests (add, add_batch, add_trajectory, import) run at
            once; the others wait their turn. Understanding is CPU-bound and one Python
            process runs one thread at a time, so more ingests at once only slow each
            other and every search behind them. Searches never wait for a slot.
    """
    if ingest_slots < 1:
        raise ValueError("ingest_slots must be at least 1")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = not isinstance(engine, Memory)
        if not isinstance(engine, Memory):
            app.state.memory = await run_in_threadpool(engine)
        app.state.models = _load_in_background(app.state.memory)
        consolidator = None
        if consolidate_every is not None:
            consolidator = Consolidator(app.state.memory, consolidate_every)
            consolidator.start()
        app.state.consolidator = consolidator
        try:
            yield
        finally:
            if consolidator is not None:
                await run_in_threadpool(consolidator.stop)
            if opened:
                await run_in_threadpool(app.state.memory.close)

    app = FastAPI(
        title="engramdb",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        responses={422: ERROR_RESPONSES[422]},
    )
    app.state.auth = auth
    app.state.ingest_slots = threading.BoundedSemaphore(ingest_slots)
    app.state.consolidator = None  # set by the lifespan when consolidating in the background
    app.state.models = None  # set by the lifespan: loaded once it is set
    if isinstance(engine, Memory):
        app.state.memory = engine
    install_error_handlers(app)
    app.include_router(routes.router)
    app.include_router(admin.router)
    _add_probes(app)
    _add_inspector(app)
    app.add_middleware(JsonBodies)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(RequestContext)
    return app


def _add_inspector(app: FastAPI) -> None:
    """The web inspector at ``/ui``: static files (package data) that call the REST API."""
    from importlib import resources

    from fastapi.responses import RedirectResponse
    from fastapi.staticfiles import StaticFiles

    ui = resources.files("engramdb.server").joinpath("ui")
    app.mount("/ui", StaticFiles(directory=str(ui), html=True), name="ui")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/ui/")


def _add_probes(app: FastAPI) -> None:
    @app.get("/health", response_model=StatusOut, tags=["probes"])
    def health() -> dict[str, Any]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get(
        "/ready", response_model=StatusOut, responses={503: ERROR_RESPONSES[503]}, tags=["probes"]
    )
    def ready(request: Request) -> Any:
        """Readiness: the store answers and the models are loaded."""
        request.app.state.memory.ping()
        models: _Models | None = request.app.state.models
        if models is not None and not models.done.is_set():
            return error_response(503, "Loading", "the models are loading", request)
        if models is not None and models.error is not None:
            return error_response(503, type(models.error).__name__, str(models.error), request)
        return {"status": "ready"}


class _Models:
    """Loading the embedder and parser, which a first request would otherwise wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: Exception | None = None


def _load_in_background(memory: Memory) -> _Models:
    models = _Models()

    def load() -> None:
        try:
            memory.load_models()
        except Exception as exc:  # reported by /ready; requests that need a model fail alike
            log.warning("loading the models failed: %s", exc)
            models.error = exc
        finally:
            models.done.set()

    threading.Thread(target=load, name="engramdb-load-models", daemon=True).start()
    return models
