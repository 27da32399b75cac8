"""Run the three sandboxes on real sockets inside the caller's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import logging
import socket
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from integrations.sandbox._control import SandboxControl
from integrations.sandbox.freebit import FreebitSandboxSettings, create_freebit_app
from integrations.sandbox.pubsub_server import PubSubSandbox, serving_pubsub
from integrations.sandbox.salesforce import SalesforceSandboxSettings, create_salesforce_app
from integrations.sandbox.whmcs import WhmcsSandboxCredentials, create_whmcs_app

__all__ = ["SandboxCredentials", "SandboxUrls", "running_sandboxes"]


@dataclass(frozen=True, slots=True)
class SandboxCredentials:
    """Integration credentials the sandboxes accept (defaults are dev-only values)."""

    whmcs_identifier: str = "sandbox-identifier"
    whmcs_secret: str = "sandbox-secret"  # noqa: S105 - dev-only sandbox credential
    whmcs_access_key: str | None = None
    salesforce_consumer_key: str = "sandbox-consumer-key"
    salesforce_username: str = "integration@portal.example.jp"
    salesforce_audience: str = "https://login.salesforce.com"
    freebit_oem_id: str = "SANDBOXOEM"
    freebit_oem_key: str = "sandbox-oem-key"


@dataclass(frozen=True, slots=True)
class SandboxUrls:
    whmcs_base_url: str
    salesforce_login_url: str
    salesforce_instance_url: str
    freebit_base_url: str
    salesforce_pubsub_target: str | None = None  # host:port of the plaintext gRPC Pub/Sub API

    @property
    def whmcs_api_url(self) -> str:
        return f"{self.whmcs_base_url}/includes/api.php"

    def control_urls(self) -> dict[str, str]:
        """Base URLs of the ``/_sandbox/`` control APIs, by system."""
        return {
            "whmcs": self.whmcs_base_url,
            "salesforce": self.salesforce_login_url,
            "freebit": self.freebit_base_url,
        }


# Set inside the sandbox servers' tasks: their uvicorn log records are dropped, the host
# process's own uvicorn server (same global loggers) keeps logging.
_IN_SANDBOX = contextvars.ContextVar("in_sandbox_server", default=False)


class _DropSandboxRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _IN_SANDBOX.get()


def _install_log_filter() -> None:
    for name in ("uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropSandboxRecords) for f in logger.filters):
            logger.addFilter(_DropSandboxRecords())


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signals and start-up banners to the host process."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def _log_started_message(self, listeners: Sequence[socket.SocketType]) -> None:
        return None


class _QuietConfig(uvicorn.Config):
    def configure_logging(self) -> None:
        # Global uvicorn loggers belong to the host process (the BFF's own server).
        return None


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
    # and accepted sockets inherit it. Without it a keep-alive response written in two
    # parts waited for the client's delayed ACK: ~45 ms on top of many sandbox calls.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


@contextlib.asynccontextmanager
async def _serve(app: Starlette, host: str, port: int) -> AsyncIterator[str]:
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    config = _QuietConfig(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        timeout_keep_alive=5,
    )
    server = _QuietServer(config)
    _install_log_filter()
    context = contextvars.copy_context()
    context.run(_IN_SANDBOX.set, True)
    task = asyncio.create_task(
        server.serve(sockets=[sock]), name=f"sandbox:{bound_port}", context=context
    )
    try:
        while not server.started:
            if task.done():
                task.result()  # surface the start-up error
            await asyncio.sleep(0.01)
        url_host = f"[{host}]" if ":" in host else host
        yield f"http://{url_host}:{bound_port}"
    finally:
        control = getattr(app.state, "control", None)
        if isinstance(control, SandboxControl):
            control.release_hangs()
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def running_sandboxes(
    *,
    salesforce_public_key_pem: str,
    host: str = "127.0.0.1",
    whmcs_port: int = 0,
    salesforce_port: int = 0,
    freebit_port: int = 0,
    credentials: SandboxCredentials | None = None,
    today: dt.date | None = None,
    salesforce_token_lifetime_seconds: float = 7200.0,
    salesforce_query_batch_size: int = 2000,
    freebit_async_delay_seconds: float = 1.0,
    pubsub_port: int | None = 0,
    pubsub_retention_seconds: float = 72 * 3600.0,
    pubsub_keepalive_seconds: float = 270.0,
) -> AsyncIterator[SandboxUrls]:
    """Start the WHMCS, Salesforce and Freebit sandboxes; stop them on exit.

    Port 0 picks a free port; the bound URLs are in the yielded :class:`SandboxUrls`.
    ``salesforce_public_key_pem`` verifies the JWT bearer assertions (see
    :func:`generate_dev_keypair`). ``today`` pins the demo data's dates.
    ``pubsub_port`` serves the Salesforce org's Pub/Sub API over plaintext gRPC (None: not
    at all); tests shrink retention and keep-alive so expiry and keep-alives are observable.
    """
    creds = credentials or SandboxCredentials()
    whmcs = create_whmcs_app(
        WhmcsSandboxCredentials(creds.whmcs_identifier, creds.whmcs_secret, creds.whmcs_access_key),
        today=today,
    )
    salesforce = create_salesforce_app(
        SalesforceSandboxSettings(
            public_key_pem=salesforce_public_key_pem,
            consumer_key=creds.salesforce_consumer_key,
            username=creds.salesforce_username,
            audience=creds.salesforce_audience,
            token_lifetime_seconds=salesforce_token_lifetime_seconds,
            query_batch_size=salesforce_query_batch_size,
        ),
        today=today,
        pubsub_retention_seconds=pubsub_retention_seconds,
        pubsub_keepalive_seconds=pubsub_keepalive_seconds,
    )
    freebit = create_freebit_app(
        FreebitSandboxSettings(
            oem_id=creds.freebit_oem_id,
            oem_key=creds.freebit_oem_key,
            async_delay_seconds=freebit_async_delay_seconds,
        ),
        today=today,
    )
    async with contextlib.AsyncExitStack() as stack:
        whmcs_url = await stack.enter_async_context(_serve(whmcs, host, whmcs_port))
        salesforce_url = await stack.enter_async_context(_serve(salesforce, host, salesforce_port))
        freebit_url = await stack.enter_async_context(_serve(freebit, host, freebit_port))
        pubsub: PubSubSandbox = salesforce.state.pubsub
        pubsub_target = (
            None
            if pubsub_port is None
            else await stack.enter_async_context(serving_pubsub(pubsub, host, pubsub_port))
        )
        yield SandboxUrls(
            whmcs_base_url=whmcs_url,
            salesforce_login_url=salesforce_url,
            salesforce_instance_url=salesforce_url,
            freebit_base_url=freebit_url,
            salesforce_pubsub_target=pubsub_target,
        )
