"""`/api/dashboard`: concurrent sections, partial failure."""

from __future__ import annotations

import time

import httpx

from tests.api.features.conftest import Sandbox, as_


async def test_dashboard_of_taro(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/dashboard", headers=as_("taro"))
    assert response.status_code == 200
    body = response.json()
    assert body["warnings"] == []
    billing = body["billing"]
    assert billing["unpaidTotal"]["currency"] == "JPY"
    assert float(billing["unpaidTotal"]["amount"]) > 0
    assert set(billing["nextDue"]) == {"invoiceId", "dueOn", "amount"}
    assert body["subscriptions"] == {"active": 2, "total": 2}
    assert body["support"] == {"openCases": 1}
    assert isinstance(body["orders"]["recent"], list)


async def test_dashboard_of_a_new_customer(api: httpx.AsyncClient) -> None:
    body = (await api.get("/api/dashboard", headers=as_("kenji"))).json()
    assert body["billing"] == {
        "unpaidTotal": {"amount": "0.00", "currency": "JPY"},
        "nextDue": None,
    }
    assert body["subscriptions"] == {"active": 0, "total": 0}
    assert body["support"] == {"openCases": 0}
    assert body["orders"] == {"recent": []}


async def test_salesforce_down_leaves_the_whmcs_sections(
    api: httpx.AsyncClient, salesforce_box: Sandbox
) -> None:
    await salesforce_box.fault(path="/services/data", errorStatus=503)
    response = await api.get("/api/dashboard", headers=as_("hanako"))
    assert response.status_code == 200
    body = response.json()
    assert body["support"] is None and body["orders"] is None
    assert body["billing"] is not None and body["subscriptions"] == {"active": 3, "total": 4}
    assert body["warnings"] == [
        {"section": "support", "code": "upstream.unavailable"},
        {"section": "orders", "code": "upstream.unavailable"},
    ]


async def test_a_hanging_system_costs_one_section_deadline(
    api: httpx.AsyncClient, whmcs_box: Sandbox
) -> None:
    await whmcs_box.fault(hang=True)
    started = time.perf_counter()
    response = await api.get("/api/dashboard", headers=as_("hanako"))
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    body = response.json()
    assert body["billing"] is None and body["subscriptions"] is None
    assert body["support"] is not None
    assert {w["section"] for w in body["warnings"]} == {"billing", "subscriptions"}
    assert {w["code"] for w in body["warnings"]} == {"upstream.timeout"}
    assert elapsed < 1.5  # section deadline 0.8 s, not one per section


async def test_sections_run_concurrently(
    api: httpx.AsyncClient, whmcs_box: Sandbox, salesforce_box: Sandbox
) -> None:
    await api.get("/api/dashboard", headers=as_("taro"))  # warm tokens and connections
    await whmcs_box.fault(latencyMs=250)
    await salesforce_box.fault(path="/services/data", latencyMs=250)
    started = time.perf_counter()
    response = await api.get("/api/dashboard", headers=as_("kenji"))
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response.json()["warnings"] == []
    # Sequential would be >= 4 x 250 ms (support and orders each make 2 queries).
    assert elapsed < 0.75


async def test_recent_orders(api: httpx.AsyncClient) -> None:
    recent = (await api.get("/api/dashboard", headers=as_("hanako"))).json()["orders"]["recent"]
    assert recent and set(recent[0]) >= {"id", "orderNumber", "status", "total", "createdAt"}
