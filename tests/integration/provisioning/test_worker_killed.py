"""A real `bff worker` process killed (SIGKILL) right after a provider call, before the
step is recorded: the rerun after arq's in-progress key expires repeats nothing.

Needs a Redis shared between processes (the real-services pass); the database is the
suite's (a SQLite file is shared too).
"""

from __future__ import annotations

import asyncio
import os
import sys

import httpx
import pytest
from arq.connections import ArqRedis

from bff.core.state import AppState
from bff.events.jobs import enqueue_provision_order
from bff.provisioning.store import RunStore
from bff.settings import Settings
from bff.worker.embedded import build_worker
from integrations.sandbox import DevKeyPair, SandboxUrls
from tests.api.features.conftest import Sandbox
from tests.helpers import TEST_REDIS_URL
from tests.integration.provisioning.support import patient
from tests.integration.provisioning.test_provisioning import (
    job,
    place,
    portal_order,
    sim_subscriptions,
)

pytestmark = pytest.mark.skipif(
    not TEST_REDIS_URL, reason="a worker process needs a real Redis (BFF_TEST_REDIS_URL)"
)

JOB_TIMEOUT_S = 2  # arq lets the killed job run again after this + 10 s

AFTER_ACTIVATION = "after the Freebit activation call"
OTA_ACTIVATION = "/emptool/api/mvno/ota/addAcnt/"

# A worker that kills itself (no cleanup, no exception handlers) right before it would
# record the given state, i.e. after that step's provider call returned; or right after
# Freebit answered the line activation (before the MSISDN/ICCID are written anywhere).
KILLER = f"""
import os, signal, sys
from arq.worker import run_worker
from bff.provisioning.store import RunStore
from bff.settings import Settings
from bff.worker.main import worker_settings
from integrations.freebit import FreebitClient

original = RunStore.update
activate = FreebitClient.activate_line

async def update(self, order_id, values):
    if values.get("state") == sys.argv[1]:
        os.kill(os.getpid(), signal.SIGKILL)
    return await original(self, order_id, values)

async def activate_line(self, line):
    activated = await activate(self, line)
    if sys.argv[1] == {AFTER_ACTIVATION!r}:
        os.kill(os.getpid(), signal.SIGKILL)
    return activated

RunStore.update = update
FreebitClient.activate_line = activate_line
options = worker_settings(Settings())
options["cron_jobs"] = []
run_worker(options)
"""


def worker_env(settings: Settings, sandboxes: SandboxUrls, keys: DevKeyPair) -> dict[str, str]:
    return {
        **os.environ,
        "BFF_ENV": "test",
        "BFF_DATABASE_URL": settings.database_url,
        "BFF_REDIS_URL": settings.redis_url,
        "BFF_WHMCS__API_URL": sandboxes.whmcs_api_url,
        "BFF_SALESFORCE__LOGIN_URL": sandboxes.salesforce_login_url,
        "BFF_SALESFORCE__PRIVATE_KEY_PEM": keys.private_key_pem,
        "BFF_FREEBIT__BASE_URL": sandboxes.freebit_base_url,
        "BFF_PROVISIONING__JOB_TIMEOUT_S": str(JOB_TIMEOUT_S),
        "BFF_LOG_LEVEL": "WARNING",
    }


@pytest.mark.parametrize("killed_before", ["whmcs_order_created", "accepted", AFTER_ACTIVATION])
async def test_a_killed_worker_process_repeats_no_provider_call(
    api: httpx.AsyncClient,
    app_state: AppState,
    feature_settings: Settings,
    queue: ArqRedis,
    *,
    feature_sandboxes: SandboxUrls,
    feature_keys: DevKeyPair,
    salesforce_box: Sandbox,
    whmcs_box: Sandbox,
    freebit_box: Sandbox,
    killed_before: str,
) -> None:
    order_id = await place(api, salesforce_box)
    assert await enqueue_provision_order(queue, job(order_id))

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        KILLER,
        killed_before,
        env=worker_env(feature_settings, feature_sandboxes, feature_keys),
    )
    assert await asyncio.wait_for(process.wait(), timeout=30) == -9
    run = await RunStore(app_state.session_factory).get(order_id)
    assert run is not None and run.state != killed_before
    calls_before = await whmcs_box.counts()
    assert calls_before.get("AddOrder") == 1
    if killed_before == AFTER_ACTIVATION:
        assert run.state == "accepted"
        assert (await freebit_box.counts()).get(OTA_ACTIVATION) == 1
        assert calls_before.get("UpdateClientProduct") is None  # died before writing it

    # A healthy worker picks the job up once the dead one's in-progress key expires.
    worker = build_worker(patient(feature_settings), queue, burst=True)
    try:
        await asyncio.wait_for(worker.async_run(), timeout=60)
    finally:
        await worker.close()

    assert (await portal_order(api, order_id))["status"] == "active"
    calls = await whmcs_box.counts()
    assert calls.get("AddOrder") == 1
    # Killed before recording `accepted`: the repeat answers "not Pending" and changes
    # nothing; killed later, AcceptOrder is not called again at all.
    assert calls.get("AcceptOrder") == (2 if killed_before == "accepted" else 1)
    # Exactly one line: the rerun finds it by its orderRef instead of opening another,
    # and the customer's SIM subscription shows it.
    assert (await freebit_box.counts()).get(OTA_ACTIVATION) == 1
    (line,) = await sim_subscriptions(api, await portal_order(api, order_id))
    assert line["identifier"] == line["sim"]["msisdn"]
    assert line["sim"]["iccid"]
