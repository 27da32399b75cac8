"""The fault suite's stack: the app (real auth), the Pub/Sub consumer and an arq worker,
all in this process, against the three sandboxes.

Deadlines and the circuit breakers are short so every fault shows within a second and
clears within a second, which keeps the suite fast. The database is the suite's own (a
fresh PostgreSQL database or SQLite file): the demo customer it links must not clash with
other suites' users.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
from arq.connections import ArqRedis
from arq.worker import Worker
from asgi_lifespan import LifespanManager
from pydantic import SecretStr

from bff.app import create_app
from bff.core.state import AppState
from bff.events.runtime import create_job_queue
from bff.settings import Settings
from integrations.sandbox import DevKeyPair, SandboxUrls
from integrations.sandbox.demo_data import HANAKO
from tests.api.auth.support import Users, clear_auth_keys
from tests.api.features.conftest import *  # noqa: F403 - the sandboxes and their control
from tests.helpers import (
    consumer_and_worker,
    make_settings,
    migrated_database,
)

UPSTREAM_DEADLINE_S = 0.6
REQUEST_DEADLINE_S = 1.5
BREAKER_THRESHOLD = 3
BREAKER_RESET_S = 1.0

_UPSTREAM = {
    "connect_timeout_s": 0.3,
    "read_timeout_s": 0.5,
    "deadline_s": UPSTREAM_DEADLINE_S,
    "read_retries": 1,
    "breaker_failure_threshold": BREAKER_THRESHOLD,
    "breaker_reset_s": BREAKER_RESET_S,
}


@pytest.fixture(scope="session")
def fault_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with migrated_database(tmp_path_factory.mktemp("faultdb")) as url:
        yield url


@pytest.fixture(scope="session")
def fault_settings(
    fault_database: str, redis_url: str, feature_sandboxes: SandboxUrls, feature_keys: DevKeyPair
) -> Settings:
    assert feature_sandboxes.salesforce_pubsub_target is not None
    return make_settings(
        fault_database,
        redis_url,
        request_deadline_s=REQUEST_DEADLINE_S,
        whmcs={"api_url": feature_sandboxes.whmcs_api_url} | _UPSTREAM,
        salesforce={
            "login_url": feature_sandboxes.salesforce_login_url,
            "private_key_pem": SecretStr(feature_keys.private_key_pem),
            "pubsub_target": feature_sandboxes.salesforce_pubsub_target,
            "pubsub_tls": False,
        }
        | _UPSTREAM,
        freebit={"base_url": feature_sandboxes.freebit_base_url} | _UPSTREAM,
        dashboard={"section_deadline_s": 0.5},
        # Invoices and services straight from WHMCS, so each call meets the fault.
        cache={"customer_ttl_s": 0},
        events={"reconnect_initial_s": 0.05, "reconnect_max_s": 0.5},
        provisioning={
            "retry_base_s": 0.2,
            "retry_max_s": 1.0,
            "lock_wait_s": 5.0,
            "job_timeout_s": 10.0,
        },
    )


@dataclass
class Stack:
    api: httpx.AsyncClient
    email: str
    settings: Settings
    app_state: AppState
    worker: Worker
    queue: ArqRedis

    async def forget_catalog(self) -> None:
        """A cold catalog, so the next catalog call meets the fault."""
        from bff.catalog.service import catalog_cache

        cache = catalog_cache(self.app_state.redis, self.settings)
        await cache.aclose()
        await cache.invalidate()


# Module scope: its worker must not outlive this suite and take other suites' arq jobs.
@pytest_asyncio.fixture(scope="module")
async def stack(fault_settings: Settings, feature_sandboxes: SandboxUrls) -> AsyncIterator[Stack]:
    user = await Users(fault_settings.database_url).create(
        whmcs_client_id=HANAKO.client_id,
        salesforce_account_id=HANAKO.account_id,
        salesforce_contact_id=HANAKO.contact_id,
    )
    async with httpx.AsyncClient(timeout=5) as client:
        for base in feature_sandboxes.control_urls().values():
            (await client.post(f"{base}/_sandbox/reset")).raise_for_status()
    queue = create_job_queue(fault_settings)
    await _forget_provisioning(queue)
    try:
        async with (
            LifespanManager(create_app(fault_settings)) as manager,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver"
            ) as api,
            consumer_and_worker(fault_settings, queue) as worker,
        ):
            app_state: AppState = manager._state["app"]  # what the lifespan yielded
            yield Stack(api, user.email, fault_settings, app_state, worker, queue)
    finally:
        await queue.aclose()


async def _forget_provisioning(queue: ArqRedis) -> None:
    """Sandboxes reuse order ids: arq results and locks of earlier suites (a real Redis
    outlives them) would make this suite's jobs look done already."""
    keys = [k async for k in queue.scan_iter(match="*provision*", count=500)]
    keys += [k async for k in queue.scan_iter(match="bff:orders:status:*", count=500)]
    if keys:
        await queue.delete(*keys)
    stale = [m for m in await queue.zrange("arq:queue", 0, -1) if b"provision_order" in m]
    if stale:
        await queue.zrem("arq:queue", *stale)


@pytest_asyncio.fixture(autouse=True)
async def _no_faults(
    stack: Stack, control: httpx.AsyncClient, feature_sandboxes: SandboxUrls
) -> None:
    """No faults and no login throttling left by an earlier test or run. The sandboxes are
    not reset: the running consumer holds a position in the Pub/Sub stream."""
    for base in feature_sandboxes.control_urls().values():
        (await control.delete(f"{base}/_sandbox/faults")).raise_for_status()
    await clear_auth_keys(stack.settings.redis_url)
    await stack.forget_catalog()
