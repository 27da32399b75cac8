"""Shared plumbing of the feature benchmarks: sandboxes, an app against them, a raw ASGI driver.

Requests are driven straight into the ASGI app (no HTTP client, no sockets between the
load generator and the app), so the numbers compare what the *app* spends per request;
the sandboxes are real servers on local sockets.
"""

from __future__ import annotations

import statistics
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI, Request

from bff.app import create_app
from bff.auth.dependencies import Customer, current_customer
from bff.core.migrations import upgrade
from bff.core.state import AppState
from bff.settings import Environment, Settings
from integrations.sandbox import (
    SandboxCredentials,
    SandboxUrls,
    generate_dev_keypair,
    running_sandboxes,
)
from integrations.sandbox.demo_data import TARO

ASGIApp = Callable[..., Awaitable[None]]


async def fault_all(urls: SandboxUrls, **rule: object) -> None:
    """The same fault rule on every sandbox."""
    async with httpx.AsyncClient() as control:
        for base in urls.control_urls().values():
            (await control.put(f"{base}/_sandbox/faults", json=rule)).raise_for_status()


async def salesforce_queries(urls: SandboxUrls) -> int:
    async with httpx.AsyncClient() as control:
        response = await control.get(f"{urls.salesforce_login_url}/_sandbox/calls")
        return int(response.json()["counts"].get("query", 0))


@asynccontextmanager
async def sandboxes() -> AsyncIterator[tuple[SandboxUrls, str]]:
    keys = generate_dev_keypair()
    async with running_sandboxes(
        salesforce_public_key_pem=keys.public_key_pem, credentials=SandboxCredentials()
    ) as urls:
        yield urls, keys.private_key_pem


def bench_settings(
    urls: SandboxUrls, private_key: str, *, redis_url: str, **overrides: Any
) -> Settings:
    database = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    with ThreadPoolExecutor(1) as pool:  # upgrade() runs its own event loop
        pool.submit(upgrade, database).result()
    values: dict[str, Any] = {
        "env": Environment.TEST,
        "database_url": database,
        "redis_url": redis_url,
        "log_level": "WARNING",
        "whmcs": {"api_url": urls.whmcs_api_url},
        "salesforce": {"login_url": urls.salesforce_login_url, "private_key_pem": private_key},
        "freebit": {"base_url": urls.freebit_base_url},
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


TARO_CUSTOMER = Customer(
    user_id=uuid.UUID(int=1),
    session_id="bench",
    whmcs_client_id=str(TARO.client_id),
    salesforce_account_id=TARO.account_id,
    salesforce_contact_id=TARO.contact_id,
)


async def as_taro(request: Request) -> Customer:
    del request
    return TARO_CUSTOMER


@asynccontextmanager
async def running_app(
    settings: Settings, *, customer: bool = False
) -> AsyncIterator[tuple[FastAPI, ASGIApp, AppState]]:
    app = create_app(settings)
    if customer:  # the dashboard needs a caller; the public catalog must not pay for one
        app.dependency_overrides[current_customer] = as_taro
    async with LifespanManager(app) as manager:
        yield app, manager.app, manager._state["app"]


async def call(
    asgi: ASGIApp, path: str, *, query: str = "", headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[int, bytes]:
    """One GET straight into the ASGI app; returns (status, body)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench"), *(headers or [])],
        "client": ("127.0.0.1", 40000),
        "server": ("bench", 80),
    }
    status = 0
    chunks: list[bytes] = []
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await asgi(scope, receive, send)
    return status, b"".join(chunks)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000
