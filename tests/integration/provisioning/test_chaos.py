"""Chaos: orders through real `bff events` and `bff worker` processes while the worker is
SIGKILLed at random. Every approved order ends `active`, with exactly one WHMCS order and
exactly one Freebit line (activation) for its SIM service, whose MSISDN/ICCID are on it.

Real-services pass only (processes share Redis and the database).
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from bff.core.state import AppState
from bff.provisioning.billing import client_services
from bff.provisioning.models import ProvisioningRun, RunState
from bff.settings import Settings
from integrations.sandbox import DevKeyPair, SandboxUrls
from tests.api.features.conftest import KENJI, Sandbox, as_
from tests.helpers import TEST_REDIS_URL
from tests.integration.provisioning.test_worker_killed import worker_env

pytestmark = pytest.mark.skipif(
    not TEST_REDIS_URL, reason="worker processes need a real Redis (BFF_TEST_REDIS_URL)"
)

ORDERS = int(os.environ.get("BFF_CHAOS_ORDERS", "200"))
KILLS = int(os.environ.get("BFF_CHAOS_KILLS", "10"))
ITEMS = [
    {"sku": "VPN-PRO", "quantity": 1, "billingCycle": "monthly"},
    {"sku": "SIM-DATA-3G", "quantity": 1, "billingCycle": "monthly"},
]
SIM_PID = "1"  # SIM-DATA-3G in WHMCS
OTA_ACTIVATION = "/emptool/api/mvno/ota/addAcnt/"


async def start(command: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bff", command, env=env, stdout=asyncio.subprocess.DEVNULL
    )


async def place(api: httpx.AsyncClient) -> httpx.Response:
    """POST one order; on this loaded machine (the sandboxes share the test's event loop
    with the API) a Salesforce deadline may pass, and a client retries with the same key."""
    headers = as_("kenji", **{"Idempotency-Key": str(uuid.uuid4())})
    for _ in range(5):
        created = await api.post("/api/orders", json={"items": ITEMS}, headers=headers)
        if created.status_code not in (502, 503, 504):
            break
        await asyncio.sleep(0.5)
    return created


async def test_orders_survive_a_randomly_killed_worker(
    api: httpx.AsyncClient,
    app_state: AppState,
    feature_settings: Settings,
    feature_sandboxes: SandboxUrls,
    *,
    feature_keys: DevKeyPair,
    salesforce_box: Sandbox,
    whmcs_box: Sandbox,
    freebit_box: Sandbox,
) -> None:
    assert feature_sandboxes.salesforce_pubsub_target is not None
    env = worker_env(feature_settings, feature_sandboxes, feature_keys) | {
        "BFF_SALESFORCE__PUBSUB_TARGET": feature_sandboxes.salesforce_pubsub_target,
        "BFF_SALESFORCE__PUBSUB_TLS": "false",
        "BFF_PROVISIONING__RETRY_BASE_S": "0.2",
        "BFF_PROVISIONING__RETRY_MAX_S": "2",
        "BFF_EVENTS__LEASE_TTL_S": "2",
        "BFF_EVENTS__LEASE_RENEW_S": "0.5",
        "BFF_PROVISIONING__JOB_TIMEOUT_S": "10",  # ~10 slow WHMCS calls per order on a loaded box
        "BFF_PROVISIONING__MAX_JOBS": "50",
    }
    # Slow WHMCS calls keep jobs in flight, so the kills land mid-job.
    await whmcs_box.fault(latencyMs=300)
    events = await start("events", env)
    workers = [await start("worker", env)]
    order_ids: list[str] = []

    async def progress() -> tuple[int, int]:
        """(runs started, runs finished): moves whenever a worker gets something done."""
        async with app_state.session_factory() as session:
            started = await session.scalar(select(func.count()).select_from(ProvisioningRun))
            finished = await session.scalar(
                select(func.count())
                .select_from(ProvisioningRun)
                .where(ProvisioningRun.state.in_([RunState.DONE.value, RunState.FAILED.value]))
            )
        return int(started or 0), int(finished or 0)

    async def kill_at_random() -> None:
        rng = random.Random(7)
        for _ in range(KILLS):
            started = await progress()
            # Until this worker is up and busy; once every order is finished, nothing moves
            # any more and the remaining kills hit an idle worker.
            while started[1] < ORDERS:
                if await progress() != started:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(rng.uniform(0.05, 0.6))
            workers[-1].kill()
            await workers[-1].wait()
            workers.append(await start("worker", env))

    chaos = asyncio.create_task(kill_at_random())
    try:
        for _ in range(ORDERS):
            created = await place(api)
            assert created.status_code == 201, created.text
            order_ids.append(created.json()["id"])
            url = f"{salesforce_box.base}/_sandbox/orders/{order_ids[-1]}/approve"
            (await salesforce_box.client.post(url)).raise_for_status()
        async with asyncio.timeout(240):
            await chaos  # the worker dies while orders arrive and are being provisioned

        loop = asyncio.get_running_loop()
        deadline = loop.time() + 240
        pending = set(order_ids)
        while pending and loop.time() < deadline:
            for order_id in list(pending):
                response = await api.get(f"/api/orders/{order_id}", headers=as_("kenji"))
                if response.status_code in (502, 503, 504):  # the loaded box; ask again
                    continue
                body = response.json()
                if body["status"] == "active":
                    pending.discard(order_id)
                else:
                    assert body["status"] in ("approved", "provisioning"), body
            await asyncio.sleep(1)
        assert not pending, f"{len(pending)} orders stuck"
    finally:
        chaos.cancel()
        for process in (events, *workers):
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert (await whmcs_box.counts()).get("AddOrder") == ORDERS
    # Exactly one activation per SIM line, and every SIM service carries its own line.
    assert (await freebit_box.counts()).get(OTA_ACTIVATION) == ORDERS
    sims = [s async for s in client_services(app_state.providers.whmcs, str(KENJI.client_id))]
    linked = [{f.id: f.value for f in s.customfields} for s in sims if s.pid == SIM_PID]
    assert len(linked) == ORDERS
    msisdns = {values.get("1") for values in linked}
    assert None not in msisdns and len(msisdns) == ORDERS
    assert all(values.get("2") for values in linked)
    async with app_state.session_factory() as session:
        rerun = await session.scalar(
            select(func.count()).select_from(ProvisioningRun).where(ProvisioningRun.attempts > 1)
        )
    print(f"chaos: {ORDERS} orders, {KILLS} kills, {rerun} orders needed more than one try")
    assert rerun, "no kill landed mid-job"
