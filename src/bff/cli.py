"""`bff`: the one entry point for development and production processes."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn
from pydantic import SecretStr

from bff.settings import Settings

if TYPE_CHECKING:
    from integrations.sandbox import SandboxCredentials, SandboxUrls

cli = typer.Typer(
    name="bff",
    help="Customer portal backend-for-frontend.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DEFAULT_OPENAPI_PATH = Path("openapi/openapi.json")


def _load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as error:
        # One clear line naming the setting, not a traceback, when start-up is refused.
        typer.echo(f"bff: refusing to start: {_first_error_line(error)}", err=True)
        raise typer.Exit(code=2) from None


def _first_error_line(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        location = ".".join(str(part) for part in first.get("loc", ()))
        message = str(first.get("msg", error)).removeprefix("Value error, ")
        return f"{location}: {message}" if location else message
    return str(error)


def _uvicorn_config(app: object, settings: Settings, **extra: object) -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=settings.host,
        port=settings.port,
        log_config=None,  # our structlog setup owns logging
        access_log=False,  # replaced by the access line of RequestContextMiddleware
        proxy_headers=False,  # forwarded headers are honoured only from BFF_TRUSTED_PROXIES
        server_header=False,
        lifespan="on",
        **extra,  # type: ignore[arg-type]
    )


@cli.command()
def dev(
    port: Annotated[int | None, typer.Option(help="Port for the BFF (default BFF_PORT).")] = None,
) -> None:
    """Run the BFF on its embedded default: migrations applied, everything in one process."""
    overrides: dict[str, object] = {} if port is None else {"port": port}
    settings = _load_settings(**overrides)
    from bff.core.migrations import upgrade

    upgrade(settings.database_url)
    asyncio.run(_serve_dev(settings))


async def _serve_dev(settings: Settings) -> None:
    from bff.app import create_app

    async with AsyncExitStack() as stack:
        if settings.sandbox.enabled:
            settings = await stack.enter_async_context(_sandboxed(settings))
            if settings.events.enabled_in_dev:
                await stack.enter_async_context(_events_in_process(settings))
            if settings.provisioning.enabled_in_dev:
                await stack.enter_async_context(_worker_in_process(settings))
        app = create_app(settings)
        typer.echo(f"BFF on http://{settings.host}:{settings.port}  (docs: /docs)")
        await uvicorn.Server(_uvicorn_config(app, settings)).serve()


@asynccontextmanager
async def _events_in_process(settings: Settings) -> AsyncIterator[None]:
    """The Pub/Sub consumer as a task of `bff dev` (enqueues into the embedded queue)."""
    from bff.events.runtime import running_consumer

    async with running_consumer(settings) as consumer:
        task = asyncio.create_task(consumer.run(), name="bff-events")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _worker_in_process(settings: Settings) -> AbstractAsyncContextManager[object]:
    """The arq worker (provisioning) as a task of `bff dev`, on the embedded queue."""
    from bff.worker.embedded import running_worker

    return running_worker(settings)


@asynccontextmanager
async def _sandboxed(settings: Settings) -> AsyncIterator[Settings]:
    """Run the sandboxes and yield settings that point the BFF at them."""
    from integrations.sandbox import generate_dev_keypair

    keys = generate_dev_keypair()
    async with _running_sandboxes(settings, keys.public_key_pem) as urls:
        _echo_sandboxes(urls)
        yield settings.model_copy(
            update={
                "whmcs": settings.whmcs.model_copy(update={"api_url": urls.whmcs_api_url}),
                "salesforce": settings.salesforce.model_copy(
                    update={
                        "login_url": urls.salesforce_login_url,
                        "private_key_pem": SecretStr(keys.private_key_pem),
                        "pubsub_target": urls.salesforce_pubsub_target
                        or settings.salesforce.pubsub_target,
                        "pubsub_tls": False,  # the sandbox serves plaintext gRPC
                    }
                ),
                "freebit": settings.freebit.model_copy(update={"base_url": urls.freebit_base_url}),
            }
        )


def _running_sandboxes(
    settings: Settings, salesforce_public_key_pem: str
) -> AbstractAsyncContextManager[SandboxUrls]:
    from integrations.sandbox import running_sandboxes

    return running_sandboxes(
        salesforce_public_key_pem=salesforce_public_key_pem,
        host=settings.sandbox.host,
        whmcs_port=settings.sandbox.whmcs_port,
        salesforce_port=settings.sandbox.salesforce_port,
        freebit_port=settings.sandbox.freebit_port,
        pubsub_port=settings.sandbox.pubsub_port,
        freebit_async_delay_seconds=settings.sandbox.freebit_async_delay_s,
        credentials=sandbox_credentials(settings),
    )


def sandbox_credentials(settings: Settings) -> SandboxCredentials:
    """The credentials the sandboxes accept: whatever the BFF is configured to send."""
    from integrations.sandbox import SandboxCredentials

    return SandboxCredentials(
        whmcs_identifier=settings.whmcs.identifier.get_secret_value(),
        whmcs_secret=settings.whmcs.secret.get_secret_value(),
        whmcs_access_key=(
            settings.whmcs.access_key.get_secret_value() if settings.whmcs.access_key else None
        ),
        salesforce_consumer_key=settings.salesforce.client_id,
        salesforce_username=settings.salesforce.username,
        salesforce_audience=settings.salesforce.audience,
        freebit_oem_id=settings.freebit.oem_id,
        freebit_oem_key=settings.freebit.oem_key.get_secret_value(),
    )


def _echo_sandboxes(urls: SandboxUrls) -> None:
    typer.echo("Sandboxes (demo data; control API under /_sandbox/):")
    typer.echo(f"  WHMCS       {urls.whmcs_api_url}")
    typer.echo(f"  Salesforce  {urls.salesforce_login_url}")
    typer.echo(f"  Freebit     {urls.freebit_base_url}")
    if urls.salesforce_pubsub_target:
        typer.echo(f"  Pub/Sub     {urls.salesforce_pubsub_target} (gRPC, plaintext)")


@cli.command()
def sandbox(
    key_file: Annotated[
        Path, typer.Option(help="Where to write the Salesforce JWT signing key (PEM).")
    ] = Path("var/sandbox-salesforce-key.pem"),
) -> None:
    """Run only the three provider sandboxes (for pointing another client at them)."""
    from integrations.sandbox import generate_dev_keypair

    settings = _load_settings()
    keys = generate_dev_keypair()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.touch(mode=0o600)
    key_file.write_text(keys.private_key_pem, encoding="utf-8")
    asyncio.run(_serve_sandboxes(settings, keys.public_key_pem, key_file))


async def _serve_sandboxes(settings: Settings, public_key_pem: str, key_file: Path) -> None:
    async with _running_sandboxes(settings, public_key_pem) as urls:
        _echo_sandboxes(urls)
        typer.echo(f"  Salesforce JWT signing key: {key_file} (BFF_SALESFORCE__PRIVATE_KEY_PEM)")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()


APP_FACTORY = "bff.app:create_app"
GRACEFUL_SHUTDOWN_S = 20


@cli.command()
def serve(
    factory: Annotated[
        str, typer.Option(hidden=True, help="module:function building the ASGI app (benchmarks).")
    ] = APP_FACTORY,
) -> None:
    """Run the API in production: BFF_WEB_CONCURRENCY processes on BFF_SERVER, env settings."""
    settings = _load_settings()
    if settings.server == "granian":
        _serve_granian(settings, factory)
    else:
        _serve_uvicorn(settings, factory)


def _serve_granian(settings: Settings, factory: str) -> None:
    # Chosen by measurement (bench/README.md, "Peer comparison"): more requests per core
    # and a lower p99 than uvicorn for the same app; in-flight requests finish on SIGTERM.
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.log import LogLevels
    from granian.server import Server

    Server(
        factory,
        factory=True,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        workers=settings.web_concurrency,
        loop=Loops.uvloop,
        # HTTP/1.1 only (keep-alive on, granian's default): the load balancer in front
        # speaks it, and "auto" sniffs every new connection for an HTTP/2 preface.
        http=HTTPModes.http1,
        websockets=False,  # the API has no WebSocket routes
        log_level=LogLevels.warning,  # our structlog setup owns the app's logs
        log_access=False,  # replaced by the access line of RequestContextMiddleware
        workers_kill_timeout=GRACEFUL_SHUTDOWN_S,
        respawn_failed_workers=True,
    ).serve()


def _serve_uvicorn(settings: Settings, factory: str) -> None:
    uvicorn.run(
        factory,
        factory=True,
        workers=settings.web_concurrency,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        proxy_headers=False,  # forwarded headers are honoured only from BFF_TRUSTED_PROXIES
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


@cli.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Upgrade the database schema (BFF_DATABASE_URL) to REVISION."""
    from bff.core.migrations import upgrade

    upgrade(_load_settings().database_url, revision)


@cli.command()
def downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1.")]) -> None:
    """Downgrade the database schema to REVISION."""
    from bff.core.migrations import downgrade as run_downgrade

    run_downgrade(_load_settings().database_url, revision)


@cli.command()
def openapi(
    output: Annotated[Path, typer.Option(help="Where to write the spec.")] = DEFAULT_OPENAPI_PATH,
    check: Annotated[
        bool, typer.Option(help="Exit 1 if the file differs from the code instead of writing.")
    ] = False,
) -> None:
    """Write the OpenAPI document generated from the code (sorted, stable)."""
    from bff.app import create_app
    from bff.core.openapi import render_openapi

    rendered = render_openapi(create_app(Settings()))
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != rendered:
            typer.echo(f"{output} is out of date: run `bff openapi`", err=True)
            raise typer.Exit(code=1)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(rendered, encoding="utf-8")
    typer.echo(f"wrote {output}")


@cli.command()
def worker(
    check: Annotated[
        bool, typer.Option(help="Exit 0 if a worker refreshed its health key recently, else 1.")
    ] = False,
) -> None:
    """Run the arq worker (background jobs) against BFF_REDIS_URL."""
    settings = _load_settings()
    if settings.uses_fake_redis:
        typer.echo("bff: the worker needs a Redis server: set BFF_REDIS_URL", err=True)
        raise typer.Exit(code=2)
    from bff.worker.main import check_worker_health, run_worker

    if check:
        raise typer.Exit(code=check_worker_health(settings))
    run_worker(settings)


@cli.command()
def events() -> None:
    """Run the Salesforce Pub/Sub consumer: approved orders -> arq provisioning jobs."""
    settings = _load_settings()
    if settings.uses_fake_redis:
        typer.echo("bff: the consumer needs a Redis server: set BFF_REDIS_URL", err=True)
        raise typer.Exit(code=2)
    from bff.core.logging import configure_logging

    configure_logging(level=settings.log_level, json_lines=settings.json_logs)
    asyncio.run(_run_events(settings))


async def _run_events(settings: Settings) -> None:
    from bff.events.runtime import running_consumer

    async with running_consumer(settings) as consumer:
        task = asyncio.create_task(consumer.run(), name="bff-events")
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task  # cancelled on a signal: the lease is released on the way out


@cli.command("invalidate-catalog")
def invalidate_catalog() -> None:
    """Drop the cached catalog in BFF_REDIS_URL; the next request reloads it from Salesforce."""
    settings = _load_settings()
    if settings.uses_fake_redis:
        typer.echo("bff: the embedded fake Redis lives inside `bff dev`; nothing to do", err=True)
        raise typer.Exit(code=2)
    from bff.catalog.service import drop_cached_catalog

    asyncio.run(drop_cached_catalog(settings))
    typer.echo("catalog cache dropped; every running instance was told (Redis pub/sub)")


def main() -> None:
    cli()
