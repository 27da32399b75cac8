"""`/api/orders` against the Salesforce sandbox: create, list, get, validation, ownership."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.api.features.conftest import as_

pytestmark = pytest.mark.asyncio

SIM = {"sku": "SIM-DATA-3G", "quantity": 1, "billingCycle": "monthly"}
VPN = {"sku": "VPN-BASIC", "quantity": 2, "billingCycle": "annually"}


def _key() -> str:
    return f"order-{uuid.uuid4()}"


async def _place(api: httpx.AsyncClient, who: str = "taro", **body: Any) -> httpx.Response:
    return await api.post(
        "/api/orders",
        json=body or {"items": [SIM, VPN], "notes": "please deliver on a weekday"},
        headers=as_(who, **{"Idempotency-Key": _key()}),
    )


async def test_create_then_list_and_get(api: httpx.AsyncClient) -> None:
    created = await _place(api)
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["status"] == "draft"
    assert created.headers["Location"] == f"/api/orders/{order['id']}"
    assert [i["sku"] for i in order["items"]] == ["SIM-DATA-3G", "VPN-BASIC"]
    assert order["items"][1] == {
        "sku": "VPN-BASIC",
        "name": "VPN ベーシック",
        "quantity": 2,
        "billingCycle": "annually",
        "unitPrice": {"amount": "5500.00", "currency": "JPY"},
    }
    assert order["total"] == {"amount": "11990.00", "currency": "JPY"}
    assert order["timeline"][0]["status"] == "draft"
    assert order["subscriptionIds"] == []

    listed = await api.get("/api/orders", headers=as_("taro"))
    assert listed.status_code == 200
    page = listed.json()
    assert page["items"][0]["id"] == order["id"]  # newest first
    assert page["items"][0]["status"] == "draft"

    fetched = await api.get(f"/api/orders/{order['id']}", headers=as_("taro"))
    assert fetched.status_code == 200
    assert fetched.json()["id"] == order["id"]
    assert fetched.json()["items"] == order["items"]


async def test_key_is_required(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/orders", json={"items": [SIM]}, headers=as_("taro"))
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency.key_required"


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([{**SIM, "sku": "NO-SUCH-SKU"}], "items[0].sku"),
        ([SIM, {**SIM, "sku": "OPT-INTL-ROAMING"}], "items[1].sku"),  # inactive
        ([{**SIM, "quantity": 0}], "items[0].quantity"),
        ([{**SIM, "quantity": 11}], "items[0].quantity"),
        ([], "items"),
        ([{**SIM, "billingCycle": "annually"}], "items[0].billingCycle"),  # not sold yearly
        ([{**SIM, "billingCycle": "weekly"}], "items[0].billingCycle"),
    ],
)
async def test_invalid_orders_are_422_with_fields(
    api: httpx.AsyncClient, items: list[dict[str, object]], field: str
) -> None:
    key = _key()
    response = await api.post(
        "/api/orders", json={"items": items}, headers=as_("taro", **{"Idempotency-Key": key})
    )
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    # Validation failures are not stored: the corrected request with the same key works.
    fixed = await api.post(
        "/api/orders", json={"items": [SIM]}, headers=as_("taro", **{"Idempotency-Key": key})
    )
    assert fixed.status_code == 201


async def test_another_customers_order_is_404(api: httpx.AsyncClient) -> None:
    order = (await _place(api, "taro")).json()
    theirs = await api.get(f"/api/orders/{order['id']}", headers=as_("hanako"))
    missing = await api.get("/api/orders/801000000000999AAA", headers=as_("taro"))
    malformed = await api.get("/api/orders/not-an-id", headers=as_("taro"))
    for response in (theirs, missing, malformed):
        assert response.status_code == 404
        assert response.json()["code"] == "orders.order_not_found"
    listed = (await api.get("/api/orders", headers=as_("hanako"))).json()
    assert order["id"] not in [o["id"] for o in listed["items"]]


async def test_replay_returns_the_first_order(api: httpx.AsyncClient) -> None:
    headers = as_("taro", **{"Idempotency-Key": _key()})
    first = await api.post("/api/orders", json={"items": [SIM]}, headers=headers)
    again = await api.post("/api/orders", json={"items": [SIM]}, headers=headers)
    other = await api.post("/api/orders", json={"items": [VPN]}, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency.key_reused"


async def test_concurrent_duplicates_create_one_salesforce_order(
    api: httpx.AsyncClient,
) -> None:
    before = (await api.get("/api/orders", headers=as_("kenji"))).json()["total"]
    headers = as_("kenji", **{"Idempotency-Key": _key()})
    responses = await asyncio.gather(
        *(api.post("/api/orders", json={"items": [SIM]}, headers=headers) for _ in range(50))
    )
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, statuses
    created_ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created_ids) == 1
    after = (await api.get("/api/orders", headers=as_("kenji"))).json()["total"]
    assert after == before + 1
