"""The app against the three sandboxes over real sockets, for the customer-feature tests.

Sandboxes start once per session; every test starts from the seeded demo state with no
faults, an empty call log and an empty Redis (caches, webhook nonces). Provider deadlines
are short so fault tests stay fast, and the circuit breakers are set high so one test's
faults cannot open a circuit for the next.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from fastapi import FastAPI, Request

from bff.app import create_app
from bff.auth.dependencies import Customer, current_customer
from bff.auth.errors import NotAuthenticated
from bff.core.state import AppState
from bff.settings import Settings
from bff.users.models import User
from integrations.sandbox import (
    DevKeyPair,
    SandboxCredentials,
    SandboxUrls,
    generate_dev_keypair,
    running_sandboxes,
)
from integrations.sandbox.demo_data import HANAKO, KENJI, TARO, DemoCustomer
from tests.helpers import make_settings

DEMO: dict[str, DemoCustomer] = {"taro": TARO, "hanako": HANAKO, "kenji": KENJI}
USER_IDS = {name: uuid.uuid5(uuid.NAMESPACE_URL, f"bff-features-test/{name}") for name in DEMO}

WEBHOOK_SECRET = "features-test-webhook-secret-0123456789abcdef"

_FAST = {
    "connect_timeout_s": 0.5,
    "read_timeout_s": 0.6,
    "deadline_s": 1.0,
    "read_retries": 0,
    "breaker_failure_threshold": 1000,
}


class Sandbox:
    """One sandbox's control API."""

    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self.client = client
        self.base = base_url

    async def fault(self, **rule: object) -> None:
        (await self.client.put(f"{self.base}/_sandbox/faults", json=rule)).raise_for_status()

    async def clear(self) -> None:
        (await self.client.delete(f"{self.base}/_sandbox/faults")).raise_for_status()

    async def counts(self) -> dict[str, int]:
        response = await self.client.get(f"{self.base}/_sandbox/calls")
        response.raise_for_status()
        counts: dict[str, int] = response.json()["counts"]
        return counts

    async def queries_of(self, sobject: str) -> int:
        """How many SOQL queries so far had ``sobject`` in their outer FROM."""
        response = await self.client.get(f"{self.base}/_sandbox/calls")
        response.raise_for_status()
        calls = response.json()["calls"]
        return sum(1 for c in calls if c["key"] == "query" and c["subject"] == sobject)

    async def reset(self) -> None:
        (await self.client.post(f"{self.base}/_sandbox/reset")).raise_for_status()


@pytest.fixture(scope="session")
def feature_keys() -> DevKeyPair:
    return generate_dev_keypair()


@pytest_asyncio.fixture(scope="session")
async def feature_sandboxes(feature_keys: DevKeyPair) -> AsyncIterator[SandboxUrls]:
    async with running_sandboxes(
        salesforce_public_key_pem=feature_keys.public_key_pem,
        credentials=SandboxCredentials(),
        freebit_async_delay_seconds=0.05,
    ) as urls:
        yield urls


@pytest.fixture(scope="session")
def feature_settings(
    database_url: str,
    redis_url: str,
    feature_sandboxes: SandboxUrls,
    feature_keys: DevKeyPair,
) -> Settings:
    return make_settings(
        database_url,
        redis_url,
        whmcs={"api_url": feature_sandboxes.whmcs_api_url, "webhook_secret": WEBHOOK_SECRET}
        | _FAST,
        salesforce={
            "login_url": feature_sandboxes.salesforce_login_url,
            "private_key_pem": feature_keys.private_key_pem,
        }
        | _FAST,
        freebit={"base_url": feature_sandboxes.freebit_base_url} | _FAST,
        dashboard={"section_deadline_s": 0.8},
    )


@pytest.fixture(scope="session")
def feature_app(feature_settings: Settings) -> FastAPI:
    return create_app(feature_settings)


@pytest_asyncio.fixture(scope="session")
async def running(feature_app: FastAPI) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    async with LifespanManager(feature_app) as manager:
        state: AppState = manager._state["app"]  # what the lifespan yielded
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, state


@pytest.fixture(scope="session")
def api(running: tuple[httpx.AsyncClient, AppState]) -> httpx.AsyncClient:
    return running[0]


@pytest_asyncio.fixture(scope="session", autouse=True)
async def _customers(feature_app: FastAPI, app_state: AppState) -> None:
    """Customers by header: `X-Test-Customer: taro` is TARO's linked portal user.

    The auth dependency is replaced (its own tests cover tokens); each customer has a
    real `users` row, which idempotency records reference.
    """
    async with app_state.session_factory() as session, session.begin():
        for name, demo in DEMO.items():
            if await session.get(User, USER_IDS[name]) is None:
                session.add(
                    User(
                        id=USER_IDS[name],
                        email=f"features-{name}@example.test",
                        password_hash="unused",
                        first_name=demo.first_name,
                        last_name=demo.last_name,
                    )
                )

    async def as_customer(request: Request) -> Customer:
        name = request.headers.get("X-Test-Customer")
        if name not in DEMO:
            raise NotAuthenticated()
        demo = DEMO[name]
        return Customer(
            user_id=USER_IDS[name],
            session_id="test-session",
            whmcs_client_id=str(demo.client_id),
            salesforce_account_id=demo.account_id,
            salesforce_contact_id=demo.contact_id,
        )

    feature_app.dependency_overrides[current_customer] = as_customer


def as_(name: str, **headers: str) -> dict[str, str]:
    """Headers of a request made by one demo customer."""
    return {"X-Test-Customer": name, **headers}


@pytest.fixture(scope="session")
def app_state(running: tuple[httpx.AsyncClient, AppState]) -> AppState:
    return running[1]


@pytest_asyncio.fixture(scope="session")
async def control(feature_sandboxes: SandboxUrls) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


@pytest.fixture(scope="session")
def whmcs_box(control: httpx.AsyncClient, feature_sandboxes: SandboxUrls) -> Sandbox:
    return Sandbox(control, feature_sandboxes.whmcs_base_url)


@pytest.fixture(scope="session")
def salesforce_box(control: httpx.AsyncClient, feature_sandboxes: SandboxUrls) -> Sandbox:
    return Sandbox(control, feature_sandboxes.salesforce_login_url)


@pytest.fixture(scope="session")
def freebit_box(control: httpx.AsyncClient, feature_sandboxes: SandboxUrls) -> Sandbox:
    return Sandbox(control, feature_sandboxes.freebit_base_url)


@pytest_asyncio.fixture(autouse=True)
async def _fresh_state(
    feature_sandboxes: SandboxUrls, control: httpx.AsyncClient, app_state: AppState
) -> None:
    """Seeded sandboxes with no faults, no cached data or webhook ids, no in-process copies."""
    from bff.catalog.service import catalog_cache

    for base in feature_sandboxes.control_urls().values():
        (await control.post(f"{base}/_sandbox/reset")).raise_for_status()
    # Only this suite's keys: other suites may share the Redis database (xdist workers).
    for pattern in ("bff:cache:*", "bff:cc:*", "bff:webhook:*"):
        keys = [key async for key in app_state.redis.scan_iter(match=pattern, count=500)]
        if keys:
            await app_state.redis.delete(*keys)
    cache = catalog_cache(app_state.redis, app_state.settings)
    await cache.aclose()
    await cache.invalidate()
