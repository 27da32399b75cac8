"""Two `bff serve`, two `bff worker` and one `bff events` process sharing one PostgreSQL
database and one Redis, against the three sandboxes running in this test process.

Real-services pass only (see the skip in the test module).
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from redis.asyncio import Redis

from bff.core.migrations import upgrade
from integrations.sandbox import DevKeyPair, SandboxUrls
from integrations.sandbox.demo_data import TARO
from tests.api.auth.support import Users, clear_auth_keys
from tests.api.features.conftest import *  # noqa: F403 - the sandboxes and their control
from tests.helpers import TEST_REDIS_URL, stop_processes, temporary_postgres_database

REFRESH_GRACE_S = 0.5
STARTUP_S = 120.0  # five Python processes starting at once on a loaded two-core machine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    instances: list[httpx.AsyncClient]  # A and B, each a `bff serve` on its own port
    email: str
    redis: Redis
    logs: Path

    def instance(self, n: int) -> httpx.AsyncClient:
        """Alternate between the instances, as a round-robin load balancer does."""
        return self.instances[n % len(self.instances)]


@pytest.fixture(scope="module")
def cluster_database() -> Iterator[str]:
    with temporary_postgres_database() as url:
        upgrade(url)
        yield url


@pytest_asyncio.fixture(scope="module")
async def cluster(
    cluster_database: str,
    feature_sandboxes: SandboxUrls,
    feature_keys: DevKeyPair,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Cluster]:
    assert feature_sandboxes.salesforce_pubsub_target is not None
    logs = tmp_path_factory.mktemp("scaleout")
    redis = Redis.from_url(TEST_REDIS_URL)
    await _forget_shared_state(redis)
    await clear_auth_keys(TEST_REDIS_URL)
    user = await Users(cluster_database).create(
        whmcs_client_id=TARO.client_id,
        salesforce_account_id=TARO.account_id,
        salesforce_contact_id=TARO.contact_id,
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BFF_")},
        "BFF_ENV": "test",
        "BFF_LOG_FORMAT": "json",
        "BFF_LOG_LEVEL": "WARNING",
        "BFF_DATABASE_URL": cluster_database,
        "BFF_REDIS_URL": TEST_REDIS_URL,
        "BFF_WHMCS__API_URL": feature_sandboxes.whmcs_api_url,
        "BFF_SALESFORCE__LOGIN_URL": feature_sandboxes.salesforce_login_url,
        "BFF_SALESFORCE__PRIVATE_KEY_PEM": feature_keys.private_key_pem,
        "BFF_SALESFORCE__PUBSUB_TARGET": feature_sandboxes.salesforce_pubsub_target,
        "BFF_SALESFORCE__PUBSUB_TLS": "false",
        "BFF_FREEBIT__BASE_URL": feature_sandboxes.freebit_base_url,
        "BFF_AUTH__REFRESH_GRACE_S": str(REFRESH_GRACE_S),
        "BFF_PROVISIONING__RETRY_BASE_S": "0.2",
        "BFF_PROVISIONING__RETRY_MAX_S": "2",
        "BFF_PROVISIONING__LOCK_WAIT_S": "10",
    }
    ports = [_free_port(), _free_port()]
    commands = [("serve", {"BFF_PORT": str(port)}) for port in ports]
    commands += [("worker", {}), ("worker", {}), ("events", {})]
    processes: list[asyncio.subprocess.Process] = []
    clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{p}", timeout=30) for p in ports]
    try:
        for n, (command, extra) in enumerate(commands):
            with (logs / f"{n}-{command}.log").open("wb") as log:
                processes.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable, "-m", "bff", command,
                        env=env | extra, stdout=log, stderr=asyncio.subprocess.STDOUT,
                    )
                )  # fmt: skip
        for client in clients:
            await _wait_ready(client, processes, logs)
        yield Cluster(clients, user.email, redis, logs)
    finally:
        await stop_processes(processes, timeout_s=15)
        for client in clients:
            await client.aclose()
        await redis.aclose()


async def _wait_ready(
    client: httpx.AsyncClient, processes: list[asyncio.subprocess.Process], logs: Path
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_S
    while loop.time() < deadline:
        if any(process.returncode is not None for process in processes):
            pytest.fail(f"a bff process exited early; logs in {logs}")
        try:
            if (await client.get("/health/ready", timeout=1)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    pytest.fail(f"{client.base_url} not ready within {STARTUP_S}s; logs in {logs}")


async def _forget_shared_state(redis: Redis) -> None:
    """Sandboxes reuse record ids: arq results, locks and caches of earlier suites (a real
    Redis outlives them) must not answer for this module's orders."""
    keys = [k async for k in redis.scan_iter(match="*provision*", count=500)]
    keys += [k async for k in redis.scan_iter(match="bff:orders:status:*", count=500)]
    keys += [k async for k in redis.scan_iter(match="bff:c*", count=500)]
    if keys:
        await redis.delete(*keys)
    stale = [m for m in await redis.zrange("arq:queue", 0, -1) if b"provision_order" in m]
    if stale:
        await redis.zrem("arq:queue", *stale)
