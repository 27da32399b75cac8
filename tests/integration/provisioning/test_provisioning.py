"""The provisioning job against the sandboxes: exactly one WHMCS order per Salesforce Order.

Tries are run the way arq runs them (``provision(..., job_try=n)``, ``Retry`` raised for
a later try) and, where the queue matters, by a real arq worker in burst mode. A worker
killed mid-step is simulated by a ``BaseException`` that nothing in the job catches,
raised where the step would commit what it just did.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from arq.connections import ArqRedis
from arq.worker import Retry

from bff.core.db import utcnow
from bff.core.state import AppState
from bff.events.jobs import PROVISION_ORDER_JOB, ProvisionOrderJob, enqueue_provision_order
from bff.provisioning import workflow
from bff.provisioning.job import ProvisioningContext, provision
from bff.provisioning.models import RunState
from bff.provisioning.store import RunStore
from bff.settings import ProvisioningSettings, Settings
from bff.worker.embedded import build_worker
from integrations.salesforce import soql
from tests.api.features.conftest import TARO, Sandbox, as_
from tests.integration.provisioning.support import patient

SIM = {"sku": "SIM-DATA-3G", "quantity": 1, "billingCycle": "monthly"}
VPN = {"sku": "VPN-BASIC", "quantity": 2, "billingCycle": "annually"}
OTA_ACTIVATION = "/emptool/api/mvno/ota/addAcnt/"
SF_DATETIME = "%Y-%m-%dT%H:%M:%S.%f%z"


class Killed(BaseException):
    """The worker process dying: nothing in the job may catch it."""


def context(app_state: AppState, **settings: Any) -> ProvisioningContext:
    return ProvisioningContext(
        settings=ProvisioningSettings(retry_base_s=0.01, retry_max_s=0.05, **settings),
        store=RunStore(app_state.session_factory),
        providers=app_state.providers,
        redis=app_state.redis,
    )


def job(order_id: str) -> ProvisionOrderJob:
    return ProvisionOrderJob(
        order_id=order_id, account_id=TARO.account_id, requested_at=utcnow(), source="event"
    )


async def place(api: httpx.AsyncClient, salesforce_box: Sandbox, *, approve: bool = True) -> str:
    created = await api.post(
        "/api/orders",
        json={"items": [SIM, VPN]},
        headers=as_("taro", **{"Idempotency-Key": str(uuid.uuid4())}),
    )
    assert created.status_code == 201, created.text
    order_id: str = created.json()["id"]
    if approve:
        url = f"{salesforce_box.base}/_sandbox/orders/{order_id}/approve"
        (await salesforce_box.client.post(url)).raise_for_status()
    return order_id


async def sim_subscriptions(api: httpx.AsyncClient, order: dict[str, Any]) -> list[dict[str, Any]]:
    """The order's subscriptions the portal shows as SIM lines, each with its SIM details."""
    lines = []
    for sid in order["subscriptionIds"]:
        sub = (await api.get(f"/api/subscriptions/{sid}", headers=as_("taro"))).json()
        if sub["category"] == "sim":
            sim = await api.get(f"/api/subscriptions/{sid}/sim", headers=as_("taro"))
            assert sim.status_code == 200, sim.text
            lines.append(sub | {"sim": sim.json()})
    return lines


async def portal_order(api: httpx.AsyncClient, order_id: str) -> dict[str, Any]:
    response = await api.get(f"/api/orders/{order_id}", headers=as_("taro"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_approved_order_is_provisioned_and_shown_active(
    api: httpx.AsyncClient,
    app_state: AppState,
    salesforce_box: Sandbox,
    whmcs_box: Sandbox,
    freebit_box: Sandbox,
) -> None:
    order_id = await place(api, salesforce_box)
    assert (await portal_order(api, order_id))["status"] == "approved"
    queries = (await salesforce_box.counts()).get("query", 0)

    assert await provision(context(app_state), job(order_id), job_try=1) == "done"
    # One try reads the Order once: the SIM step reuses the first step's read.
    assert (await salesforce_box.counts()).get("query", 0) == queries + 1
    run = await RunStore(app_state.session_factory).get(order_id)
    assert run is not None and run.attempts == 1

    order = await portal_order(api, order_id)
    assert order["status"] == "active"
    assert len(order["subscriptionIds"]) == 2
    assert order["failureReason"] is None
    statuses = [entry["status"] for entry in order["timeline"]]
    assert statuses[:2] == ["draft", "approved"]
    assert statuses[-1] == "active"
    assert statuses.count("provisioning") == 4
    counts = await whmcs_box.counts()
    assert counts.get("AddOrder") == 1
    assert counts.get("AcceptOrder") == 1
    # The services exist, active, on the customer's WHMCS account.
    services = await api.get("/api/subscriptions", headers=as_("taro"))
    active = {s["id"]: s["status"] for s in services.json()["items"]}
    assert all(active.get(sid) == "active" for sid in order["subscriptionIds"])
    # One line opened for the one SIM service (not for the VPN), shown on its views.
    assert (await freebit_box.counts()).get(OTA_ACTIVATION) == 1
    (line,) = await sim_subscriptions(api, order)
    assert line["identifier"] == line["sim"]["msisdn"]
    assert line["sim"]["planCode"] == "PD003"
    assert line["sim"]["simType"] == "physical"
    assert line["sim"]["iccid"].startswith("898110")
    # The CRM record carries the provisioned time, and the timeline shows it.
    crm = await app_state.providers.salesforce.query(
        soql("SELECT Provisioned_At__c FROM Order WHERE Id = :id", id=order_id)
    )
    run = await RunStore(app_state.session_factory).get(order_id)
    assert run is not None and run.sim_activated_at is not None
    provisioned = dt.datetime.strptime(crm["records"][0]["Provisioned_At__c"], SF_DATETIME)
    assert provisioned == run.sim_activated_at.replace(microsecond=0)  # the sandbox keeps seconds
    assert order["timeline"][-1]["at"] is not None


async def test_the_same_job_twice_places_one_billing_order(
    api: httpx.AsyncClient, app_state: AppState, salesforce_box: Sandbox, whmcs_box: Sandbox
) -> None:
    order_id = await place(api, salesforce_box)
    ctx = context(app_state)
    assert await provision(ctx, job(order_id), job_try=1) == "done"
    assert await provision(ctx, job(order_id), job_try=1) == "done"
    # Two tries at the same time: the second waits for the per-order lock.
    results = await asyncio.gather(*(provision(ctx, job(order_id), job_try=1) for _ in range(2)))
    assert results == ["done", "done"]
    assert (await whmcs_box.counts()).get("AddOrder") == 1


async def test_concurrent_first_tries_place_one_billing_order(
    api: httpx.AsyncClient, app_state: AppState, salesforce_box: Sandbox, whmcs_box: Sandbox
) -> None:
    order_id = await place(api, salesforce_box)
    ctx = context(app_state, lock_wait_s=10)
    results = await asyncio.gather(*(provision(ctx, job(order_id), job_try=1) for _ in range(3)))
    assert results == ["done", "done", "done"]
    assert (await whmcs_box.counts()).get("AddOrder") == 1


async def test_enqueued_twice_through_arq_places_one_billing_order(
    api: httpx.AsyncClient,
    app_state: AppState,
    *,
    feature_settings: Settings,
    queue: ArqRedis,
    salesforce_box: Sandbox,
    whmcs_box: Sandbox,
) -> None:
    order_id = await place(api, salesforce_box)
    assert await enqueue_provision_order(queue, job(order_id)) is True
    assert await enqueue_provision_order(queue, job(order_id)) is False  # same job id
    # A copy under another job id (e.g. after the first result expired) runs for real.
    again = await queue.enqueue_job(
        PROVISION_ORDER_JOB, job(order_id).to_payload(), _job_id=f"provision_order:{uuid.uuid4()}"
    )
    assert again is not None

    worker = build_worker(patient(feature_settings), queue, burst=True)
    try:
        await worker.async_run()
    finally:
        await worker.close()

    counts = await whmcs_box.counts()
    assert (worker.jobs_complete, worker.jobs_failed) == (2, 0), (worker, counts)
    assert counts.get("AddOrder") == 1, counts
    assert (await portal_order(api, order_id))["status"] == "active"


@pytest.mark.parametrize("dies_before", ["whmcs_order_created", "accepted", "sim_activated"])
async def test_a_worker_killed_before_recording_a_step_repeats_nothing(
    api: httpx.AsyncClient,
    app_state: AppState,
    *,
    salesforce_box: Sandbox,
    whmcs_box: Sandbox,
    freebit_box: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    dies_before: str,
) -> None:
    order_id = await place(api, salesforce_box)
    update = RunStore.update
    deaths = []

    async def dying_update(self: RunStore, oid: str, values: Any) -> Any:
        if values.get("state") == dies_before and not deaths:
            deaths.append(dies_before)
            raise Killed  # the call before it went out; its result was never recorded
        return await update(self, oid, values)

    monkeypatch.setattr(RunStore, "update", dying_update)
    with pytest.raises(Killed):
        await provision(context(app_state), job(order_id), job_try=1)
    run = await RunStore(app_state.session_factory).get(order_id)
    assert run is not None and run.state != dies_before

    assert await provision(context(app_state), job(order_id), job_try=2) == "done"
    counts = await whmcs_box.counts()
    assert counts.get("AddOrder") == 1  # found again by its tag, not placed twice
    order = await portal_order(api, order_id)
    assert order["status"] == "active"
    assert len(order["subscriptionIds"]) == 2
    assert (await freebit_box.counts()).get(OTA_ACTIVATION) == 1  # found by its orderRef
    assert len(await sim_subscriptions(api, order)) == 1


async def test_whmcs_down_for_a_while_then_the_order_completes(
    api: httpx.AsyncClient, app_state: AppState, salesforce_box: Sandbox, whmcs_box: Sandbox
) -> None:
    order_id = await place(api, salesforce_box)
    ctx = context(app_state)
    await whmcs_box.fault(errorStatus=503)
    for attempt in (1, 2):
        with pytest.raises(Retry):
            await provision(ctx, job(order_id), job_try=attempt)
    assert (await portal_order(api, order_id))["status"] == "provisioning"

    await whmcs_box.clear()
    assert await provision(ctx, job(order_id), job_try=3) == "done"
    assert (await portal_order(api, order_id))["status"] == "active"
    run = await RunStore(app_state.session_factory).get(order_id)
    assert run is not None and run.attempts == 3


async def test_add_order_failing_once_is_retried_without_a_duplicate(
    api: httpx.AsyncClient, app_state: AppState, salesforce_box: Sandbox, whmcs_box: Sandbox
) -> None:
    order_id = await place(api, salesforce_box)
    ctx = context(app_state)
    await whmcs_box.fault(action="AddOrder", errorStatus=500, times=1)
    with pytest.raises(Retry):
        await provision(ctx, job(order_id), job_try=1)
    assert await provision(ctx, job(order_id), job_try=2) == "done"
    orders = await app_state.providers.whmcs.get_orders(client_id=str(TARO.client_id))
    tagged = [o for o in orders.orders if o.status == "Active" and len(o.service_ids) == 2]
    assert len(tagged) >= 1
    order = await portal_order(api, order_id)
    assert order["status"] == "active"


async def test_retries_exhausted_end_failed_with_a_safe_reason(
    api: httpx.AsyncClient, app_state: AppState, salesforce_box: Sandbox, whmcs_box: Sandbox
) -> None:
    order_id = await place(api, salesforce_box)
    ctx = context(app_state, max_tries=2)
    await whmcs_box.fault(errorStatus=503)
    with pytest.raises(Retry):
        await provision(ctx, job(order_id), job_try=1)
    assert await provision(ctx, job(order_id), job_try=2) == "failed"

    order = await portal_order(api, order_id)
    assert order["status"] == "failed"
    assert order["failureReason"] == workflow.REASON_UNAVAILABLE
    assert order["timeline"][-1] == {
        "status": "failed",
        "at": order["timeline"][-1]["at"],
        "detail": workflow.REASON_UNAVAILABLE,
    }
    # Written to the Salesforce Order too, so it reads the same from the CRM alone.
    crm = await app_state.providers.salesforce.get_order(TARO.account_id, order_id)
    assert crm.status.value == "failed"
    assert crm.failure_reason == workflow.REASON_UNAVAILABLE
    # A later duplicate does nothing more.
    await whmcs_box.clear()
    assert await provision(ctx, job(order_id), job_try=1) == "failed"
    assert (await whmcs_box.counts()).get("AddOrder") is None


async def test_an_unknown_billing_product_fails_permanently(
    api: httpx.AsyncClient, app_state: AppState, salesforce_box: Sandbox, whmcs_box: Sandbox
) -> None:
    order_id = await place(api, salesforce_box)
    salesforce = app_state.providers.salesforce
    found = await salesforce.query(
        soql("SELECT Id FROM Product2 WHERE ProductCode = :code", code="VPN-BASIC")
    )
    await salesforce.update("Product2", found["records"][0]["Id"], {"WHMCS_Product_Id__c": "999"})

    assert await provision(context(app_state), job(order_id), job_try=1) == "failed"

    order = await portal_order(api, order_id)
    assert order["status"] == "failed"
    assert order["failureReason"] == workflow.REASON_REJECTED
    assert (await whmcs_box.counts()).get("AddOrder") == 1
    run = await RunStore(app_state.session_factory).get(order_id)
    assert run is not None and run.state == RunState.FAILED and run.failure_reported


async def test_an_order_that_was_never_approved_is_not_provisioned(
    api: httpx.AsyncClient, app_state: AppState, salesforce_box: Sandbox, whmcs_box: Sandbox
) -> None:
    order_id = await place(api, salesforce_box, approve=False)
    assert await provision(context(app_state), job(order_id), job_try=1) == "skipped"
    assert (await whmcs_box.counts()).get("AddOrder") is None
    assert await RunStore(app_state.session_factory).get(order_id) is None
    assert (await portal_order(api, order_id))["status"] == "draft"
    # Approved later, its own event provisions it as usual.
    url = f"{salesforce_box.base}/_sandbox/orders/{order_id}/approve"
    (await salesforce_box.client.post(url)).raise_for_status()
    assert await provision(context(app_state), job(order_id), job_try=1) == "done"


async def test_a_run_left_at_crm_updated_is_finished(
    api: httpx.AsyncClient, app_state: AppState, salesforce_box: Sandbox, whmcs_box: Sandbox
) -> None:
    """``crm_updated`` is now written together with ``done``; a run an older version left
    between the two still ends ``done``, without calling anything again."""
    order_id = await place(api, salesforce_box)
    store = RunStore(app_state.session_factory)
    await store.get_or_create(order_id, account_id=TARO.account_id)
    await store.update(order_id, {"state": RunState.CRM_UPDATED.value})
    calls = await whmcs_box.counts(), await salesforce_box.counts()

    assert await provision(context(app_state), job(order_id), job_try=1) == "done"
    run = await store.get(order_id)
    assert run is not None and run.finished_at is not None and run.attempts == 1
    assert (await whmcs_box.counts(), await salesforce_box.counts()) == calls
