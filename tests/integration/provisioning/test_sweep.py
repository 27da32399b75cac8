"""The consumer's reconciliation sweep reads `provisioning_runs`: it enqueues what was never
started and what stalled, and leaves finished or moving runs alone."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import update

from bff.core.db import utcnow
from bff.core.state import AppState
from bff.events.jobs import provision_job_id
from bff.events.sweep import approved_orders_sweep
from bff.provisioning.models import ProvisioningRun, RunState
from bff.provisioning.store import RunStore
from bff.settings import ProvisioningSettings
from domain.orders.contract import OrderStatus
from tests.api.features.conftest import Sandbox
from tests.integration.provisioning.test_provisioning import place


async def test_the_sweep_skips_finished_runs_and_resumes_stalled_ones(
    api: httpx.AsyncClient, app_state: AppState, salesforce_box: Sandbox
) -> None:
    store = RunStore(app_state.session_factory)
    salesforce = app_state.providers.salesforce
    orders = {name: await place(api, salesforce_box) for name in (
        "new", "done", "failed_reported", "failed_unreported", "stalled", "moving",
    )}  # fmt: skip
    runs = {
        "done": {"state": RunState.DONE.value},
        "failed_reported": {"state": RunState.FAILED.value, "failure_reported": True},
        "failed_unreported": {"state": RunState.FAILED.value, "failure_reported": False},
        "stalled": {"state": RunState.ACCEPTED.value, "attempts": 3},
        "moving": {"state": RunState.ACCEPTED.value, "attempts": 1},
    }
    for name, values in runs.items():
        await store.get_or_create(orders[name], account_id=None)
        await store.update(orders[name], values)
        if values["state"] == RunState.ACCEPTED.value:  # a worker had marked it in the CRM
            await salesforce.update_order_status(orders[name], OrderStatus.PROVISIONING)
    long_ago = utcnow() - dt.timedelta(hours=1)
    async with app_state.session_factory() as session, session.begin():
        await session.execute(
            update(ProvisioningRun)
            .where(ProvisioningRun.order_id != orders["moving"])
            .values(updated_at=long_ago)
        )

    sweep = approved_orders_sweep(salesforce, store, ProvisioningSettings())
    jobs = {job.order_id: job for job in await sweep()}

    mine = {name: jobs[oid] for name, oid in orders.items() if oid in jobs}
    assert sorted(mine) == ["failed_unreported", "new", "stalled"]
    assert mine["new"].job_id == provision_job_id(orders["new"])
    # Stalled runs get the stalled-run cron's job id: one job per stall, whoever enqueues.
    assert mine["stalled"].job_id == f"{provision_job_id(orders['stalled'])}:resume:3"
    assert mine["failed_unreported"].resume_after_attempts == 0
