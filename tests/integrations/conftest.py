"""Provider clients against the sandboxes, over real sockets.

The three sandboxes start once per session on free ports; every test starts from seeded
state (reset before each test) with no faults. Clients are built per test with small
deadlines so fault tests stay fast, and with their own metrics registry.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import httpx
import pytest
import pytest_asyncio
from prometheus_client import CollectorRegistry

from integrations.freebit import FreebitClient, FreebitConfig
from integrations.http import HttpPolicy, build_http_client
from integrations.metrics import IntegrationMetrics
from integrations.salesforce import SalesforceClient, SalesforceConfig
from integrations.sandbox import (
    DevKeyPair,
    SandboxCredentials,
    SandboxUrls,
    generate_dev_keypair,
    running_sandboxes,
)
from integrations.whmcs import WhmcsClient, WhmcsConfig
from tests.integrations.factories import TODAY, Faults

CREDENTIALS = SandboxCredentials(whmcs_access_key="sandbox-access-key")

# Small numbers so every fault test finishes well under a second.
TEST_POLICY = HttpPolicy(
    connect_timeout=0.5,
    read_timeout=0.4,
    write_timeout=0.5,
    pool_timeout=0.5,
    deadline=0.8,
    retry_attempts=3,
    backoff_initial=0.01,
    backoff_max=0.05,
    breaker_failure_threshold=3,
    breaker_open_seconds=0.3,
)


@pytest.fixture(scope="session")
def dev_keys() -> DevKeyPair:
    return generate_dev_keypair()


@pytest_asyncio.fixture(scope="session")
async def sandboxes(dev_keys: DevKeyPair) -> AsyncIterator[SandboxUrls]:
    async with running_sandboxes(
        salesforce_public_key_pem=dev_keys.public_key_pem,
        credentials=CREDENTIALS,
        today=TODAY,
        salesforce_query_batch_size=5,  # small batches: every list query pages
        freebit_async_delay_seconds=0.3,
    ) as urls:
        yield urls


@pytest_asyncio.fixture(scope="session")
async def control(sandboxes: SandboxUrls) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


@pytest_asyncio.fixture(autouse=True)
async def _fresh_sandboxes(sandboxes: SandboxUrls, control: httpx.AsyncClient) -> None:
    """Every test starts from the seeded demo state, with no faults and an empty log."""
    for base in sandboxes.control_urls().values():
        (await control.post(f"{base}/_sandbox/reset")).raise_for_status()


@pytest.fixture
def metrics() -> IntegrationMetrics:
    return IntegrationMetrics.create(CollectorRegistry())


@pytest.fixture
def policy() -> HttpPolicy:
    return TEST_POLICY


@pytest.fixture
def whmcs_config(sandboxes: SandboxUrls, policy: HttpPolicy) -> WhmcsConfig:
    return WhmcsConfig(
        api_url=sandboxes.whmcs_api_url,
        identifier=CREDENTIALS.whmcs_identifier,
        secret=CREDENTIALS.whmcs_secret,
        access_key=CREDENTIALS.whmcs_access_key,
        http=policy,
    )


@pytest.fixture
def salesforce_config(
    sandboxes: SandboxUrls, policy: HttpPolicy, dev_keys: DevKeyPair
) -> SalesforceConfig:
    return SalesforceConfig(
        login_url=sandboxes.salesforce_login_url,
        consumer_key=CREDENTIALS.salesforce_consumer_key,
        username=CREDENTIALS.salesforce_username,
        private_key_pem=dev_keys.private_key_pem,
        audience=CREDENTIALS.salesforce_audience,
        http=policy,
    )


@pytest.fixture
def freebit_config(sandboxes: SandboxUrls, policy: HttpPolicy) -> FreebitConfig:
    return FreebitConfig(
        base_url=sandboxes.freebit_base_url,
        oem_id=CREDENTIALS.freebit_oem_id,
        oem_key=CREDENTIALS.freebit_oem_key,
        http=policy,
    )


@pytest_asyncio.fixture
async def whmcs(
    whmcs_config: WhmcsConfig, metrics: IntegrationMetrics
) -> AsyncIterator[WhmcsClient]:
    async with build_http_client(whmcs_config) as http:
        yield WhmcsClient(http, whmcs_config, metrics=metrics, today=lambda: TODAY)


@pytest_asyncio.fixture
async def salesforce(
    salesforce_config: SalesforceConfig, metrics: IntegrationMetrics
) -> AsyncIterator[SalesforceClient]:
    async with build_http_client(salesforce_config) as http:
        yield SalesforceClient(http, salesforce_config, metrics=metrics)


@pytest_asyncio.fixture
async def freebit(
    freebit_config: FreebitConfig, metrics: IntegrationMetrics
) -> AsyncIterator[FreebitClient]:
    async with build_http_client(freebit_config) as http:
        yield FreebitClient(http, freebit_config, metrics=metrics, today=lambda: TODAY)


@pytest.fixture
def with_policy() -> Callable[..., HttpPolicy]:
    """``with_policy(deadline=0.3)``: the test policy with a few values changed."""

    def build(**changes: float) -> HttpPolicy:
        return replace(TEST_POLICY, **changes)  # type: ignore[arg-type]

    return build


@pytest.fixture
def whmcs_sandbox(control: httpx.AsyncClient, sandboxes: SandboxUrls) -> Faults:
    return Faults(control, sandboxes.whmcs_base_url)


@pytest.fixture
def salesforce_sandbox(control: httpx.AsyncClient, sandboxes: SandboxUrls) -> Faults:
    return Faults(control, sandboxes.salesforce_login_url)


@pytest.fixture
def freebit_sandbox(control: httpx.AsyncClient, sandboxes: SandboxUrls) -> Faults:
    return Faults(control, sandboxes.freebit_base_url)
