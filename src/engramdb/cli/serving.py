"""``engramdb serve``, ``engramdb keys`` and ``engramdb mcp``: memory over the network."""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from engramdb.cli._common import db_option, exit_on_error, open_memory
from engramdb.errors import ConfigError
from engramdb.model.keys import ApiKey

if TYPE_CHECKING:
    from engramdb.engine import Memory

__all__ = ["inspect", "keys", "mcp", "serve"]


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, help="TCP port.")
@click.option(
    "--no-auth",
    is_flag=True,
    help="Serve the whole store without API keys (only on a loopback address).",
)
@click.option(
    "--max-body-bytes", default=4 << 20, show_default=True, help="Larger requests get 413."
)
@click.option("--log-level", default="info", show_default=True, help="debug, info, warning...")
@click.option(
    "--consolidate-every",
    type=float,
    help="Consolidate the store in the background every this many seconds (default: never).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes sharing the port (PostgreSQL only).",
)
@click.option(
    "--ingest-slots",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Ingests (add, import) one server process runs at once; searches never wait.",
)
def serve(
    db: str,
    host: str,
    port: int,
    no_auth: bool,
    max_body_bytes: int,
    log_level: str,
    consolidate_every: float | None,
    workers: int,
    ingest_slots: int,
) -> None:
    """Serve the store over HTTP (REST API, OpenAPI at /docs); needs the `server` extra.

    Requests need an API key (see `engramdb keys create`); each key confines its
    requests to its tenant. Stop with Ctrl-C or SIGTERM: in-flight requests finish first.
    With --workers N (PostgreSQL), N server processes share the port and the database.
    """
    import uvicorn

    from engramdb.server.logs import configure_logging

    with exit_on_error():
        if no_auth and not _is_loopback(host):
            raise ConfigError("--no-auth is only allowed on a loopback address")
        if consolidate_every is not None and consolidate_every <= 0:
            raise click.BadParameter("must be positive", param_hint="--consolidate-every")
        if workers > 1:
            _check_workers(db, consolidate_every)
        mem = open_memory(db, background=True)
        if not no_auth and not mem.keys.has_keys():
            mem.close()
            raise ConfigError(
                f"{db} has no API key: create one with `engramdb keys create --db {db} "
                "--tenant NAME`, or run with --no-auth on 127.0.0.1 for local development"
            )
    configure_logging(log_level)
    settings = _ServeSettings(
        db, not no_auth, max_body_bytes, consolidate_every, log_level, ingest_slots
    )
    if workers > 1:
        mem.close()  # each worker process opens its own engine
        os.environ[_SETTINGS_VARIABLE] = json.dumps({**settings._asdict(), "llm": _root_settings()})
        app: Any = f"{__name__}:worker_app"
    else:
        app = settings.app(lambda: mem)
    uvicorn.run(
        app,
        host=host,
        port=port,
        workers=workers,
        factory=workers > 1,
        log_config=None,
        timeout_graceful_shutdown=30,
        access_log=False,
    )


@click.command()
@click.argument("db", envvar="ENGRAMDB_DB")
@click.option("--port", default=8080, show_default=True, help="TCP port on 127.0.0.1.")
@click.option("--no-browser", is_flag=True, help="Print the address; do not open a browser.")
@click.pass_context
def inspect(ctx: click.Context, db: str, port: int, no_browser: bool) -> None:
    """Open the web inspector on a local store: served on 127.0.0.1 only, no key needed.

    It shows what is remembered, why a memory was recalled, where it came from and what
    changed; `engramdb serve` serves it too, at /ui, behind the API keys.
    """
    url = f"http://127.0.0.1:{port}/ui/"
    click.echo(f"the inspector of {db}: {url}  (Ctrl-C stops it)")
    if not no_browser:
        import threading
        import webbrowser

        threading.Timer(1.5, webbrowser.open, args=(url,)).start()
    ctx.invoke(
        serve, db=db, host="127.0.0.1", port=port, no_auth=True, max_body_bytes=4 << 20,
        log_level="warning", consolidate_every=None, workers=1, ingest_slots=1,
    )  # fmt: skip


class _ServeSettings(NamedTuple):
    db: str
    auth: bool
    max_body_bytes: int
    consolidate_every: float | None
    log_level: str
    ingest_slots: int

    def app(self, opener: Callable[[], Memory]) -> Any:
        from engramdb.server import create_app

        return create_app(
            opener,
            auth=self.auth,
            max_body_bytes=self.max_body_bytes,
            consolidate_every=self.consolidate_every,
            ingest_slots=self.ingest_slots,
        )


_SETTINGS_VARIABLE = "ENGRAMDB_SERVE_SETTINGS"


def worker_app() -> Any:
    """The app of one ``serve --workers`` process (uvicorn calls this in each worker)."""
    from engramdb.server.logs import configure_logging

    given = json.loads(os.environ[_SETTINGS_VARIABLE])
    os.environ.update(given.pop("llm"))  # the parent's --llm-* options
    settings = _ServeSettings(**given)
    configure_logging(settings.log_level)
    return settings.app(lambda: open_memory(settings.db, background=True))


def _check_workers(db: str, consolidate_every: float | None) -> None:
    if "://" not in db:
        raise ConfigError(
            "--workers needs PostgreSQL: a SQLite store has one writing process, so serve "
            "it with one (searches and adds then share that process)"
        )
    if consolidate_every is not None:
        raise ConfigError(
            "--consolidate-every runs in one process: with --workers, run "
            "`engramdb consolidate` on a schedule instead"
        )


def _root_settings() -> dict[str, str]:
    context = click.get_current_context(silent=True)
    root = context.find_root().obj if context is not None else None
    return dict(root) if isinstance(root, dict) else {}


@click.group()
def keys() -> None:
    """Create, list and revoke API keys (stored hashed in the store)."""


def _key_line(key: ApiKey) -> str:
    state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
    role = " admin" if key.admin else ""
    return f"{key.id}  {key.prefix}...  tenant={key.tenant_id}{role}  {state}  {key.name}"


@keys.command(name="create")
@db_option
@click.option("--tenant", required=True, help="Tenant the key's requests are confined to.")
@click.option("--name", default="", help="A label for the key.")
@click.option("--admin", is_flag=True, help="The key may also manage keys and tenants.")
def create_key(db: str, tenant: str, name: str, admin: bool) -> None:
    """Create a key and print its secret (shown this once)."""
    with exit_on_error(), open_memory(db, understand=False) as mem:
        key, secret = mem.keys.create(tenant, name=name, admin=admin)
    click.echo(_key_line(key), err=True)
    click.echo(secret)


@keys.command(name="list")
@db_option
@click.option("--tenant", help="Only this tenant's keys.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_keys(db: str, tenant: str | None, as_json: bool) -> None:
    """List keys (never their secrets), revoked ones included."""
    with exit_on_error(), open_memory(db, understand=False) as mem:
        found = mem.keys.list(tenant)
    if as_json:
        click.echo(json.dumps([k.to_dict() for k in found], indent=2))
    for key in [] if as_json else found:
        click.echo(_key_line(key))


@keys.command(name="revoke")
@click.argument("key_id")
@db_option
def revoke_key(key_id: str, db: str) -> None:
    """Revoke a key: requests made with it fail from now on."""
    with exit_on_error(), open_memory(db, understand=False) as mem:
        click.echo(_key_line(mem.keys.revoke(key_id)))


@click.command()
@db_option
@click.option("--user", "user_id", help="User whose memories the tools use.")
@click.option("--agent", "agent_id", help="Agent whose memories the tools use.")
@click.option("--tenant", "tenant_id", help="Confine the tools to this tenant.")
@click.option(
    "--transport",
    type=click.Choice(["stdio", "http"]),
    default="stdio",
    show_default=True,
    help="stdio for a local agent host; http for streamable HTTP at /mcp.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP interface.")
@click.option("--port", default=8765, show_default=True, help="HTTP port.")
def mcp(
    db: str,
    user_id: str | None,
    agent_id: str | None,
    tenant_id: str | None,
    transport: str,
    host: str,
    port: int,
) -> None:
    """Run an MCP server whose tools remember, recall and forget (needs the `server` extra)."""
    from engramdb.mcp_server import McpScope, build_mcp_server

    with exit_on_error():
        if transport == "http" and not _is_loopback(host):
            raise ConfigError(
                "the MCP HTTP transport has no authentication: serve it on a loopback address "
                "(behind an authenticating proxy for remote agents), or use `engramdb serve`"
            )
        scope = McpScope.checked(user_id=user_id, agent_id=agent_id, tenant_id=tenant_id)
        mem = open_memory(db, background=True)
    with mem:
        server = build_mcp_server(mem, scope)
        if transport == "stdio":
            server.run("stdio")
        else:
            server.run("streamable-http", host=host, port=port)
