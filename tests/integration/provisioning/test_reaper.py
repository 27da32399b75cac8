"""Runs left half-way (a timed-out or dropped job) are resumed by the worker's cron."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from arq.connections import ArqRedis
from sqlalchemy import update

from bff.core.db import utcnow
from bff.core.state import AppState
from bff.provisioning.job import provision
from bff.provisioning.models import ProvisioningRun
from bff.provisioning.reaper import resume_stalled
from bff.provisioning.store import RunStore
from bff.settings import ProvisioningSettings, Settings
from bff.worker.embedded import build_worker
from tests.api.features.conftest import Sandbox
from tests.integration.provisioning.support import patient
from tests.integration.provisioning.test_provisioning import (
    Killed,
    context,
    job,
    place,
    portal_order,
)


async def test_a_stalled_run_is_resumed_once_and_completes(
    api: httpx.AsyncClient,
    app_state: AppState,
    feature_settings: Settings,
    queue: ArqRedis,
    *,
    salesforce_box: Sandbox,
    whmcs_box: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order_id = await place(api, salesforce_box)
    original = RunStore.update

    async def dies_before_accepting(self: RunStore, oid: str, values: Any) -> Any:
        if values.get("state") == "accepted":
            raise Killed
        return await original(self, oid, values)

    monkeypatch.setattr(RunStore, "update", dies_before_accepting)
    with pytest.raises(Killed):
        await provision(context(app_state), job(order_id), job_try=1)
    monkeypatch.setattr(RunStore, "update", original)

    settings = ProvisioningSettings()
    assert await resume_stalled(app_state.session_factory, queue, settings) == 0  # not stale yet
    async with app_state.session_factory() as session, session.begin():
        await session.execute(
            update(ProvisioningRun).values(updated_at=utcnow() - dt.timedelta(hours=1))
        )
    assert await resume_stalled(app_state.session_factory, queue, settings) == 1
    assert await resume_stalled(app_state.session_factory, queue, settings) == 0  # one per stall

    worker = build_worker(patient(feature_settings), queue, burst=True)
    try:
        await worker.async_run()
    finally:
        await worker.close()
    assert (await portal_order(api, order_id))["status"] == "active"
    assert (await whmcs_box.counts()).get("AddOrder") == 1


async def test_an_unreported_failure_is_retried_but_a_reported_one_is_not(
    app_state: AppState, queue: ArqRedis
) -> None:
    store = RunStore(app_state.session_factory)
    for order_id, reported in (("801000000000901AAA", False), ("801000000000902AAA", True)):
        await store.get_or_create(order_id, account_id=None)
        await store.update(
            order_id,
            {"state": "failed", "failure_reason": "x", "failure_reported": reported},
        )
    async with app_state.session_factory() as session, session.begin():
        await session.execute(
            update(ProvisioningRun).values(updated_at=utcnow() - dt.timedelta(hours=1))
        )
    settings = ProvisioningSettings()
    assert await resume_stalled(app_state.session_factory, queue, settings) == 1
    jobs = [job.job_id for job in await queue.queued_jobs()]
    assert any(job_id and "801000000000901AAA" in job_id for job_id in jobs)
    assert not any(job_id and "801000000000902AAA" in job_id for job_id in jobs)
