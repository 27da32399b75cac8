"""What lets an operator scale out behind a load balancer: the shared state lives in
PostgreSQL and Redis, so idempotency, refresh rotation, catalog single-flight, SSE order
status and exactly-once provisioning hold across `bff serve` and `bff worker` processes."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from bff.catalog.service import CACHE_KEY as CATALOG_CACHE_KEY
from bff.catalog.service import CACHE_NAME as CATALOG_CACHE_NAME
from bff.core.cache_bus import InvalidationBus
from tests.api.auth.support import PASSWORD, bearer
from tests.api.features.conftest import Sandbox
from tests.fault.journey import sse_events
from tests.helpers import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.scaleout.conftest import REFRESH_GRACE_S, Cluster

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL and TEST_REDIS_URL),
    reason="separate processes share only a real PostgreSQL and Redis (BFF_TEST_DATABASE_URL "
    "and BFF_TEST_REDIS_URL; the embedded fakeredis lives inside one process)",
)

ORDER = {"items": [{"sku": "SIM-DATA-3G", "quantity": 1, "billingCycle": "monthly"}]}
ACTIVE_WITHIN_S = 60.0


async def _login(api: httpx.AsyncClient, email: str) -> dict[str, Any]:
    response = await api.post(
        "/api/auth/login", json={"email": email, "password": PASSWORD, "tokenTransport": "body"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _refresh(api: httpx.AsyncClient, token: str) -> httpx.Response:
    return await api.post("/api/auth/refresh", json={"refreshToken": token})


async def _order_total(cluster: Cluster, auth: dict[str, str]) -> int:
    listed = await cluster.instance(0).get("/api/orders", headers=auth)
    assert listed.status_code == 200, listed.text
    return int(listed.json()["total"])


async def test_one_idempotency_key_sent_to_both_instances_makes_one_order(
    cluster: Cluster,
) -> None:
    auth = bearer((await _login(cluster.instance(0), cluster.email))["accessToken"])
    before = await _order_total(cluster, auth)

    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = await cluster.instance(0).post("/api/orders", json=ORDER, headers=auth | key)
    again = await cluster.instance(1).post("/api/orders", json=ORDER, headers=auth | key)
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("idempotent-replayed") == "true"

    # Both at once: one creates, the other waits for it or is told to retry (409).
    key = {"Idempotency-Key": str(uuid.uuid4())}
    racing = await asyncio.gather(
        *(cluster.instance(n).post("/api/orders", json=ORDER, headers=auth | key) for n in (0, 1))
    )
    assert {r.status_code for r in racing} <= {201, 409}, [r.text for r in racing]
    settled = await cluster.instance(1).post("/api/orders", json=ORDER, headers=auth | key)
    assert settled.status_code == 201, settled.text
    assert {r.json()["id"] for r in (*racing, settled) if r.status_code == 201} == {
        settled.json()["id"]
    }
    assert await _order_total(cluster, auth) - before == 2


async def test_refresh_rotates_across_instances_and_reuse_on_either_revokes_the_family(
    cluster: Cluster,
) -> None:
    a, b = cluster.instance(0), cluster.instance(1)
    t0 = (await _login(a, cluster.email))["refreshToken"]
    one = await _refresh(b, t0)
    assert one.status_code == 200, one.text
    t1 = one.json()["refreshToken"]
    two = await _refresh(a, t1)
    assert two.status_code == 200, two.text
    t2, access = two.json()["refreshToken"], two.json()["accessToken"]
    assert len({t0, t1, t2}) == 3
    assert (await b.get("/api/auth/sessions", headers=bearer(access))).status_code == 200

    await asyncio.sleep(REFRESH_GRACE_S + 0.2)
    reused = await _refresh(b, t1)  # rotated on A, replayed on B
    assert reused.status_code == 401
    assert reused.json()["code"] == "auth.refresh_reused"
    for instance in (a, b):
        assert (await _refresh(instance, t2)).status_code == 401
        denied = await instance.get("/api/auth/sessions", headers=bearer(access))
        assert denied.status_code == 401


async def test_a_cold_catalog_is_loaded_once_for_both_instances(
    cluster: Cluster, salesforce_box: Sandbox
) -> None:
    async def queries() -> int:
        # Catalog queries only: the cluster's worker and event consumer query Orders meanwhile.
        return await salesforce_box.queries_of("Product2")

    async def cold() -> None:
        keys = [k async for k in cluster.redis.scan_iter(match="bff:cache:catalog*", count=500)]
        if keys:
            await cluster.redis.delete(*keys)
        # As `bff invalidate-catalog` does: each process drops its in-process copy on the push.
        await InvalidationBus(cluster.redis).publish(CATALOG_CACHE_NAME, CATALOG_CACHE_KEY)
        await asyncio.sleep(1.2)  # past the 1 s bound within which the push reaches them

    await cold()
    before = await queries()
    alone = await cluster.instance(0).get("/api/catalog/products")
    assert alone.status_code == 200, alone.text
    one_load = await queries() - before
    assert one_load >= 1

    await cold()
    before = await queries()
    crowd = await asyncio.gather(
        *(cluster.instance(n).get("/api/catalog/products") for n in range(20))
    )
    assert all(r.status_code == 200 for r in crowd), [r.text for r in crowd]
    assert await queries() - before == one_load, "both instances shared one catalog load"
    assert {r.json()["items"][0]["sku"] for r in crowd} == {alone.json()["items"][0]["sku"]}


async def test_orders_placed_on_a_stream_from_b_and_are_provisioned_exactly_once(
    cluster: Cluster, salesforce_box: Sandbox, whmcs_box: Sandbox
) -> None:
    auth = bearer((await _login(cluster.instance(1), cluster.email))["accessToken"])
    added_before = (await whmcs_box.counts()).get("AddOrder", 0)
    order_ids = []
    for n in range(6):
        placed = await cluster.instance(n).post(
            "/api/orders", json=ORDER, headers=auth | {"Idempotency-Key": str(uuid.uuid4())}
        )
        assert placed.status_code == 201, placed.text
        order_ids.append(placed.json()["id"])

    async def stream(n: int, order_id: str) -> list[str]:
        """The order's SSE stream from the other instance than the one it was placed on."""
        url = f"/api/orders/{order_id}/events"
        response = await asyncio.wait_for(
            cluster.instance(n + 1).get(url, headers=auth), timeout=ACTIVE_WITHIN_S
        )
        assert response.status_code == 200, response.text
        return [event["status"] for event in sse_events(response.text)]

    streams = [asyncio.create_task(stream(n, o)) for n, o in enumerate(order_ids)]
    await asyncio.sleep(0.5)  # the streams are open before anything happens
    for order_id in order_ids:
        approve = f"{salesforce_box.base}/_sandbox/orders/{order_id}/approve"
        (await salesforce_box.client.post(approve)).raise_for_status()
    for order_id, statuses in zip(order_ids, await asyncio.gather(*streams), strict=True):
        assert statuses[-1] == "active", (order_id, statuses)
        assert "provisioning" in statuses, (order_id, statuses)
    added = (await whmcs_box.counts()).get("AddOrder", 0) - added_before
    assert added == len(order_ids), "one WHMCS AddOrder per order, across both workers"
