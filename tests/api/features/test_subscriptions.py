"""`/api/subscriptions` against the WHMCS sandbox."""

from __future__ import annotations

import httpx
import pytest

from integrations.sandbox.demo_data import DEMO_SERVICES, HANAKO
from tests.api.features.conftest import Sandbox, as_

HANAKO_SERVICES = [s for s in DEMO_SERVICES if s.client_id == HANAKO.client_id]


async def test_list_and_shape(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/subscriptions", headers=as_("hanako"))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == len(HANAKO_SERVICES)
    sim = next(s for s in body["items"] if s["id"] == "3")
    assert sim["category"] == "sim" and sim["identifier"] == "08056780002"
    assert sim["recurringAmount"] == {"amount": "2480.00", "currency": "JPY"}
    assert set(sim) >= {"productName", "status", "billingCycle", "registeredOn"}


async def test_paging(api: httpx.AsyncClient) -> None:
    first = (
        await api.get("/api/subscriptions", params={"pageSize": 3}, headers=as_("hanako"))
    ).json()
    second = (
        await api.get(
            "/api/subscriptions", params={"pageSize": 3, "page": 2}, headers=as_("hanako")
        )
    ).json()
    assert len(first["items"]) == 3 and len(second["items"]) == 1
    assert first["total"] == second["total"] == 4
    assert not {s["id"] for s in first["items"]} & {s["id"] for s in second["items"]}


@pytest.mark.parametrize(("status", "count"), [("active", 3), ("suspended", 1), ("cancelled", 0)])
async def test_status_filter(api: httpx.AsyncClient, status: str, count: int) -> None:
    body = (
        await api.get("/api/subscriptions", params={"status": status}, headers=as_("hanako"))
    ).json()
    assert body["total"] == count
    assert all(s["status"] == status for s in body["items"])


async def test_status_filter_with_paging(api: httpx.AsyncClient) -> None:
    body = (
        await api.get(
            "/api/subscriptions",
            params={"status": "active", "pageSize": 2, "page": 2},
            headers=as_("hanako"),
        )
    ).json()
    assert body["total"] == 3 and len(body["items"]) == 1


async def test_detail_and_404(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/subscriptions/5", headers=as_("hanako"))
    assert response.status_code == 200
    assert response.json()["category"] == "internet"
    for missing in ("999", "x1"):
        gone = await api.get(f"/api/subscriptions/{missing}", headers=as_("hanako"))
        assert gone.status_code == 404
        assert gone.json()["code"] == "subscriptions.not_found"


async def test_empty_for_a_new_customer(api: httpx.AsyncClient) -> None:
    body = (await api.get("/api/subscriptions", headers=as_("kenji"))).json()
    assert body["items"] == [] and body["total"] == 0


async def test_whmcs_down_is_503(api: httpx.AsyncClient, whmcs_box: Sandbox) -> None:
    await whmcs_box.fault(action="GetClientsProducts", errorStatus=503)
    response = await api.get("/api/subscriptions", headers=as_("taro"))
    assert response.status_code == 503


async def test_page_past_the_end_keeps_the_total(api: httpx.AsyncClient) -> None:
    body = (
        await api.get(
            "/api/subscriptions", params={"page": 5, "pageSize": 3}, headers=as_("hanako")
        )
    ).json()
    assert body["items"] == [] and body["total"] == 4
