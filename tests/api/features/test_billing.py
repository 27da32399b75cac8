"""`/api/invoices`, payment sessions and payment methods against the WHMCS sandbox."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from domain.common.dates import JST
from integrations.sandbox.demo_data import TARO, demo_invoices
from tests.api.features.conftest import Sandbox, as_

TODAY = dt.datetime.now(JST).date()
TARO_INVOICES = sorted(
    (i for i in demo_invoices(TODAY) if i.client_id == TARO.client_id),
    key=lambda i: (i.date, i.id),
    reverse=True,
)
MONEY = re.compile(r"^-?\d+\.\d{2}$")


async def test_list_is_newest_first_and_paged(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/invoices", params={"pageSize": 5}, headers=as_("taro"))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == len(TARO_INVOICES)
    assert [i["id"] for i in body["items"]] == [str(i.id) for i in TARO_INVOICES[:5]]
    first = body["items"][0]
    assert set(first) >= {"id", "number", "status", "issuedOn", "dueOn", "subtotal", "tax"}
    assert MONEY.match(first["total"]["amount"]) and first["total"]["currency"] == "JPY"


async def test_last_page_and_beyond(api: httpx.AsyncClient) -> None:
    last = (
        await api.get("/api/invoices", params={"pageSize": 6, "page": 4}, headers=as_("taro"))
    ).json()
    assert len(last["items"]) == len(TARO_INVOICES) - 18
    beyond = (
        await api.get("/api/invoices", params={"pageSize": 6, "page": 9}, headers=as_("taro"))
    ).json()
    assert beyond["items"] == [] and beyond["total"] == len(TARO_INVOICES)


@pytest.mark.parametrize(
    ("status", "expected"),
    [("paid", {"paid"}), ("overdue", {"overdue"}), ("refunded", {"refunded"}),
     ("cancelled", {"cancelled"}), ("unpaid", {"unpaid", "overdue"})],
)  # fmt: skip
async def test_status_filter(api: httpx.AsyncClient, status: str, expected: set[str]) -> None:
    body = (
        await api.get(
            "/api/invoices", params={"status": status, "pageSize": 100}, headers=as_("taro")
        )
    ).json()
    assert body["items"], status
    assert {i["status"] for i in body["items"]} == expected


async def test_new_customer_has_no_invoices(api: httpx.AsyncClient) -> None:
    body = (await api.get("/api/invoices", headers=as_("kenji"))).json()
    assert body == {"items": [], "page": 1, "pageSize": 20, "total": 0}


async def test_bad_status_and_paging_are_422(api: httpx.AsyncClient) -> None:
    for params in ({"status": "lost"}, {"page": 0}, {"pageSize": 101}):
        response = await api.get("/api/invoices", params=params, headers=as_("taro"))
        assert response.status_code == 422


async def test_without_a_customer_it_is_401(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/invoices")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_invoice_detail_has_items(api: httpx.AsyncClient) -> None:
    newest = TARO_INVOICES[0]
    response = await api.get(f"/api/invoices/{newest.id}", headers=as_("taro"))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(newest.id)
    assert len(body["items"]) == len(newest.items)
    assert all(MONEY.match(item["amount"]["amount"]) for item in body["items"])


@pytest.mark.parametrize("invoice_id", ["999999", "abc"])
async def test_missing_invoice_is_404(api: httpx.AsyncClient, invoice_id: str) -> None:
    response = await api.get(f"/api/invoices/{invoice_id}", headers=as_("taro"))
    assert response.status_code == 404
    assert response.json()["code"] == "billing.invoice_not_found"


async def test_payment_session_for_an_unpaid_invoice(api: httpx.AsyncClient) -> None:
    overdue = next(i for i in TARO_INVOICES if i.status == "Unpaid" and i.due_date < TODAY)
    response = await api.post(f"/api/invoices/{overdue.id}/payment-session", headers=as_("taro"))
    assert response.status_code == 201
    body = response.json()
    assert body["url"].startswith("http")
    assert body["expiresAt"].endswith("Z")


async def test_payment_session_for_a_paid_invoice_is_409(api: httpx.AsyncClient) -> None:
    paid = next(i for i in TARO_INVOICES if i.status == "Paid")
    response = await api.post(f"/api/invoices/{paid.id}/payment-session", headers=as_("taro"))
    assert response.status_code == 409
    assert response.json()["code"] == "billing.invoice_not_payable"


async def test_payment_methods(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/payment-methods", headers=as_("taro"))
    assert response.status_code == 200
    methods = response.json()
    assert isinstance(methods, list) and methods
    assert {m["type"] for m in methods} <= {"card", "bank_account"}
    assert sum(1 for m in methods if m["isDefault"]) <= 1


async def test_invoice_list_is_cached_per_customer(
    api: httpx.AsyncClient, whmcs_box: Sandbox
) -> None:
    await api.get("/api/invoices", headers=as_("taro"))
    before = (await whmcs_box.counts()).get("GetInvoices", 0)
    again = await api.get("/api/invoices", headers=as_("taro"))
    assert again.status_code == 200
    assert (await whmcs_box.counts()).get("GetInvoices", 0) == before


@pytest.mark.parametrize(
    ("rule", "status", "code"),
    [
        ({"errorStatus": 503}, 503, "upstream.unavailable"),
        ({"hang": True}, 504, "upstream.timeout"),
        ({"errorStatus": 500}, 502, "upstream.error"),
        ({"malformedBody": True}, 502, "upstream.error"),
    ],
)
async def test_whmcs_faults_map_to_gateway_errors(
    api: httpx.AsyncClient, whmcs_box: Sandbox, rule: dict[str, object], status: int, code: str
) -> None:
    await whmcs_box.fault(action="GetInvoices", **rule)
    response = await api.get("/api/invoices", headers=as_("hanako"))
    assert response.status_code == status
    assert response.json()["code"] == code
    if status == 503:
        assert int(response.headers["Retry-After"]) >= 1
