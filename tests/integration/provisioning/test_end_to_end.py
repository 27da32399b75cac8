"""The whole order flow as `bff dev` runs it: POST -> approve in Salesforce -> the Pub/Sub
consumer enqueues -> the arq worker provisions -> GET shows `active`; redelivered events
add no WHMCS order."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from arq.connections import ArqRedis

from bff.settings import Settings
from integrations.sandbox import SandboxUrls
from tests.api.features.conftest import Sandbox, as_
from tests.api.orders.test_order_events import parse
from tests.helpers import consumer_and_worker

SIM = {"sku": "SIM-VOICE-10G", "quantity": 1, "billingCycle": "monthly"}


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


async def status(api: httpx.AsyncClient, order_id: str) -> str:
    body: dict[str, Any] = (await api.get(f"/api/orders/{order_id}", headers=as_("taro"))).json()
    return str(body["status"])


async def place(api: httpx.AsyncClient) -> str:
    created = await api.post(
        "/api/orders",
        json={"items": [SIM]},
        headers=as_("taro", **{"Idempotency-Key": str(uuid.uuid4())}),
    )
    assert created.status_code == 201, created.text
    order_id: str = created.json()["id"]
    return order_id


async def approve(salesforce_box: Sandbox, order_id: str) -> None:
    url = f"{salesforce_box.base}/_sandbox/orders/{order_id}/approve"
    (await salesforce_box.client.post(url)).raise_for_status()


async def place_and_approve(api: httpx.AsyncClient, salesforce_box: Sandbox) -> str:
    order_id = await place(api)
    await approve(salesforce_box, order_id)
    return order_id


def with_pubsub(settings: Settings, sandboxes: SandboxUrls) -> Settings:
    assert sandboxes.salesforce_pubsub_target is not None
    salesforce = settings.salesforce.model_copy(
        update={"pubsub_target": sandboxes.salesforce_pubsub_target, "pubsub_tls": False}
    )
    return settings.model_copy(update={"salesforce": salesforce})


async def test_order_becomes_active_through_events_and_worker(
    api: httpx.AsyncClient,
    feature_settings: Settings,
    feature_sandboxes: SandboxUrls,
    queue: ArqRedis,
    *,
    salesforce_box: Sandbox,
    whmcs_box: Sandbox,
) -> None:
    settings = with_pubsub(feature_settings, feature_sandboxes)
    async with consumer_and_worker(settings, queue) as worker:
        first = await place_and_approve(api, salesforce_box)
        second = await place_and_approve(api, salesforce_box)
        for order_id in (first, second):
            await eventually(lambda o=order_id: _is_active(api, o))

        # The org delivers its retained events again (twice): no new WHMCS order.
        events = (await salesforce_box.client.get(
            f"{salesforce_box.base}/_sandbox/pubsub/events"
        )).json()["events"]  # fmt: skip
        for _ in range(2):
            response = await salesforce_box.client.post(
                f"{salesforce_box.base}/_sandbox/pubsub/redeliver",
                json={"afterReplayId": events[0]["replayId"]},
            )
            response.raise_for_status()
        await asyncio.sleep(1.0)
    assert (await whmcs_box.counts()).get("AddOrder") == 2
    assert worker.jobs_failed == 0


async def _is_active(api: httpx.AsyncClient, order_id: str) -> bool:
    return await status(api, order_id) == "active"


async def test_the_order_stream_shows_the_approval_before_provisioning(
    api: httpx.AsyncClient,
    feature_settings: Settings,
    feature_sandboxes: SandboxUrls,
    queue: ArqRedis,
    *,
    salesforce_box: Sandbox,
) -> None:
    settings = with_pubsub(feature_settings, feature_sandboxes)
    order_id = await place(api)
    async with consumer_and_worker(settings, queue):

        async def approve_soon() -> None:
            await asyncio.sleep(0.3)  # the stream is open, showing `draft`
            await approve(salesforce_box, order_id)

        streamed, _ = await asyncio.gather(
            asyncio.wait_for(
                api.get(f"/api/orders/{order_id}/events", headers=as_("taro")), timeout=30
            ),
            approve_soon(),
        )
    statuses = [event["status"] for event in parse(streamed.text)]
    # `approved` comes from the consumer, before the worker's first `provisioning`.
    assert statuses[:3] == ["draft", "approved", "provisioning"], statuses
    assert statuses[-1] == "active"
    assert statuses.count("approved") == 1
