"""`GET /api/orders/{id}/events`: status changes published by the worker, as SSE."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx

from bff.core.db import utcnow
from bff.core.state import AppState
from bff.events.jobs import ProvisionOrderJob
from bff.provisioning.job import ProvisioningContext, provision
from bff.provisioning.status_events import StatusPublisher, status_redis
from bff.provisioning.store import RunStore
from bff.settings import ProvisioningSettings
from tests.api.features.conftest import TARO, Sandbox, as_


def parse(text: str) -> list[dict[str, Any]]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
        )
        if "data" in fields:
            events.append({"id": fields.get("id"), **json.loads(fields["data"])})
    return events


async def approved_order(api: httpx.AsyncClient, salesforce_box: Sandbox) -> str:
    created = await api.post(
        "/api/orders",
        json={"items": [{"sku": "SIM-DATA-3G", "quantity": 1, "billingCycle": "monthly"}]},
        headers=as_("taro", **{"Idempotency-Key": str(uuid.uuid4())}),
    )
    order_id: str = created.json()["id"]
    url = f"{salesforce_box.base}/_sandbox/orders/{order_id}/approve"
    (await salesforce_box.client.post(url)).raise_for_status()
    return order_id


async def run_worker_try(app_state: AppState, order_id: str) -> str:
    redis = status_redis(app_state.settings, app_state.redis)
    context = ProvisioningContext(
        settings=ProvisioningSettings(),
        store=RunStore(app_state.session_factory, on_state_change=StatusPublisher(redis)),
        providers=app_state.providers,
        redis=app_state.redis,
    )
    job = ProvisionOrderJob(
        order_id=order_id, account_id=TARO.account_id, requested_at=utcnow(), source="event"
    )
    return await provision(context, job, job_try=1)


async def test_stream_follows_the_order_to_active_and_resumes(
    api: httpx.AsyncClient, app_state: AppState, salesforce_box: Sandbox
) -> None:
    order_id = await approved_order(api, salesforce_box)
    url = f"/api/orders/{order_id}/events"

    async def provision_soon() -> str:
        await asyncio.sleep(0.3)
        return await run_worker_try(app_state, order_id)

    streamed, outcome = await asyncio.gather(
        asyncio.wait_for(api.get(url, headers=as_("taro")), timeout=20), provision_soon()
    )
    assert outcome == "done"
    assert streamed.status_code == 200
    assert streamed.headers["content-type"].startswith("text/event-stream")
    events = parse(streamed.text)
    statuses = [e["status"] for e in events]
    assert statuses[0] == "approved"
    assert statuses[-1] == "active"
    assert "provisioning" in statuses

    # Reconnecting after the second event replays only what came after it.
    resumed = await api.get(url, headers=as_("taro", **{"Last-Event-ID": events[1]["id"]}))
    assert [e["id"] for e in parse(resumed.text)] == [e["id"] for e in events[2:]]

    # A new stream on a finished order: its current status, then the stream closes.
    again = parse((await api.get(url, headers=as_("taro"))).text)
    assert [e["status"] for e in again] == ["active"]


async def test_another_customers_order_stream_is_404(
    api: httpx.AsyncClient, salesforce_box: Sandbox
) -> None:
    order_id = await approved_order(api, salesforce_box)
    response = await api.get(f"/api/orders/{order_id}/events", headers=as_("hanako"))
    assert response.status_code == 404
    assert response.json()["code"] == "orders.order_not_found"
