"""`/api/webhooks/whmcs`: signature, timestamp window, replay, cache invalidation."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from bff.webhooks.service import sign
from tests.api.features.conftest import WEBHOOK_SECRET, Sandbox, as_

URL = "/api/webhooks/whmcs"


def signed(
    payload: dict[str, object], *, at: int | None = None, secret: str = WEBHOOK_SECRET
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()) if at is None else at)
    headers = {
        "Content-Type": "application/json",
        "X-Timestamp": timestamp,
        "X-Signature": sign(secret, timestamp, body),
    }
    return body, headers


def event(name: str, **ids: str) -> dict[str, object]:
    return {"event": name, "eventId": uuid.uuid4().hex, "occurredAt": "2026-11-23T10:00:00Z", **ids}


async def test_invoice_paid_drops_the_billing_cache(
    api: httpx.AsyncClient, whmcs_box: Sandbox
) -> None:
    await api.get("/api/invoices", headers=as_("taro"))
    await api.get("/api/invoices", headers=as_("taro"))
    assert (await whmcs_box.counts())["GetInvoices"] == 1  # cached
    body, headers = signed(event("InvoicePaid", invoiceId="1020"))
    response = await api.post(URL, content=body, headers=headers)
    assert response.status_code == 200
    assert response.json() == {"received": True, "action": "invalidated"}
    await api.get("/api/invoices", headers=as_("taro"))
    assert (await whmcs_box.counts())["GetInvoices"] == 2  # read again


async def test_service_event_drops_the_services_cache(
    api: httpx.AsyncClient, whmcs_box: Sandbox
) -> None:
    await api.get("/api/subscriptions", headers=as_("hanako"))
    body, headers = signed(event("ServiceStatusChange", clientId="2", serviceId="6"))
    assert (await api.post(URL, content=body, headers=headers)).status_code == 200
    await api.get("/api/subscriptions", headers=as_("hanako"))
    assert (await whmcs_box.counts())["GetClientsProducts"] == 2


async def test_catalog_event_drops_the_catalog(
    api: httpx.AsyncClient, salesforce_box: Sandbox
) -> None:
    await api.get("/api/catalog/products")
    before = (await salesforce_box.counts())["query"]
    body, headers = signed(event("ProductEdit"))
    assert (await api.post(URL, content=body, headers=headers)).status_code == 200
    await api.get("/api/catalog/products")
    assert (await salesforce_box.counts())["query"] == before + 1


async def test_unknown_event_is_acknowledged(api: httpx.AsyncClient) -> None:
    body, headers = signed(event("TicketOpen"))
    response = await api.post(URL, content=body, headers=headers)
    assert response.status_code == 200
    assert response.json()["action"] == "ignored"


@pytest.mark.parametrize(
    "tamper",
    ["bad_signature", "wrong_secret", "old", "future", "no_timestamp", "no_signature", "body"],
)
async def test_refused_deliveries(api: httpx.AsyncClient, tamper: str) -> None:
    now = int(time.time())
    at = {"old": now - 310, "future": now + 310}.get(tamper, now)  # 300 s tolerance
    secret = "another-secret-another-secret-0000" if tamper == "wrong_secret" else WEBHOOK_SECRET
    body, headers = signed(event("InvoicePaid", clientId="1"), at=at, secret=secret)
    if tamper == "bad_signature":
        headers["X-Signature"] = "0" * 64
    if tamper == "no_timestamp":
        del headers["X-Timestamp"]
    if tamper == "no_signature":
        del headers["X-Signature"]
    if tamper == "body":
        body = body.replace(b'"1"', b'"2"')
    response = await api.post(URL, content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "webhook.unauthorized"


async def test_replay_is_refused(api: httpx.AsyncClient) -> None:
    body, headers = signed(event("InvoicePaid", clientId="1"))
    assert (await api.post(URL, content=body, headers=headers)).status_code == 200
    replay = await api.post(URL, content=body, headers=headers)
    assert replay.status_code == 401
    # Same event id re-signed with a fresh timestamp is still a replay.
    body2, headers2 = signed(json.loads(body), at=int(time.time()) + 1)
    assert (await api.post(URL, content=body2, headers=headers2)).status_code == 401


async def test_sha256_prefix_is_accepted(api: httpx.AsyncClient) -> None:
    body, headers = signed(event("InvoiceCreated", clientId="1"))
    headers["X-Signature"] = "sha256=" + headers["X-Signature"]
    assert (await api.post(URL, content=body, headers=headers)).status_code == 200
