"""Pub/Sub tests: the sandboxes with a short keep-alive, a Pub/Sub client on the
Salesforce client's token, and (for the consumer) the suite's database and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from arq.connections import ArqRedis
from sqlalchemy import delete

from bff.core.db import create_engine, create_session_factory
from bff.events.models import EventCursor
from bff.provisioning.models import ProvisioningRun
from integrations.http import HttpPolicy
from integrations.salesforce import SalesforceClient
from integrations.salesforce.pubsub import PubSubClient, PubSubConfig
from integrations.sandbox import DevKeyPair, SandboxUrls, running_sandboxes
from tests.helpers import TEST_REDIS_URL
from tests.integrations.conftest import CREDENTIALS
from tests.integrations.factories import TODAY
from tests.integrations.pubsub.helpers import PubSubControl

KEEPALIVE_S = 0.3


@pytest_asyncio.fixture(scope="session")
async def sandboxes(dev_keys: DevKeyPair) -> AsyncIterator[SandboxUrls]:
    """Overrides the integrations' sandboxes: keep-alives every 0.3 s instead of 270 s."""
    async with running_sandboxes(
        salesforce_public_key_pem=dev_keys.public_key_pem,
        credentials=CREDENTIALS,
        today=TODAY,
        pubsub_keepalive_seconds=KEEPALIVE_S,
    ) as urls:
        yield urls


@pytest.fixture
def policy() -> HttpPolicy:
    """Overrides the integrations' tight fault-test policy: these tests inject no HTTP
    faults, and a slow first token under a loaded machine must not fail them."""
    return HttpPolicy(connect_timeout=5, read_timeout=5, write_timeout=5, deadline=10)


def pubsub_config(sandboxes: SandboxUrls, **changes: object) -> PubSubConfig:
    assert sandboxes.salesforce_pubsub_target is not None
    values: dict[str, object] = {
        "target": sandboxes.salesforce_pubsub_target,
        "tls": False,
        "batch_size": 10,
        "backoff_initial": 0.01,
        "backoff_max": 0.05,
    }
    values.update(changes)
    return PubSubConfig(**values)  # type: ignore[arg-type]


@pytest_asyncio.fixture
async def pubsub(
    sandboxes: SandboxUrls, salesforce: SalesforceClient
) -> AsyncIterator[PubSubClient]:
    async with PubSubClient(pubsub_config(sandboxes), salesforce.tokens) as client:
        yield client


@pytest_asyncio.fixture
async def org(
    sandboxes: SandboxUrls, control: httpx.AsyncClient, salesforce: SalesforceClient
) -> AsyncIterator[PubSubControl]:
    helper = PubSubControl(control, sandboxes, salesforce)
    try:
        yield helper
    finally:
        await helper.close()


@pytest_asyncio.fixture
async def queue() -> AsyncIterator[ArqRedis]:
    """The arq queue: Redis DB from BFF_TEST_REDIS_URL (flushed), else a fresh fake server."""
    if TEST_REDIS_URL:
        redis = ArqRedis.from_url(TEST_REDIS_URL)
        await redis.flushdb()
    else:
        from fakeredis import FakeAsyncRedis, FakeServer

        redis = ArqRedis(connection_pool=FakeAsyncRedis(server=FakeServer()).connection_pool)
    try:
        yield redis
    finally:
        await redis.aclose()


@pytest_asyncio.fixture
async def session_factory(database_url: str) -> AsyncIterator[object]:
    engine = create_engine(database_url, pool_size=2)
    factory = create_session_factory(engine)
    async with factory() as session:
        await session.execute(delete(EventCursor))
        # The sandbox reuses Order ids across suites; the sweep reads runs by Order id.
        await session.execute(delete(ProvisioningRun))
        await session.commit()
    try:
        yield factory
    finally:
        await engine.dispose()
