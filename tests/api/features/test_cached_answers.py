"""Per-customer cached reads are answered with the cached JSON as stored: a hit makes no
provider call and is neither decoded nor serialised again."""

from __future__ import annotations

import json

import httpx
import pytest

from bff.billing.service import SCOPE as BILLING
from bff.core.cache import CustomerCache
from bff.core.state import AppState
from bff.subscriptions.service import SCOPE as SUBSCRIPTIONS
from integrations.sandbox.demo_data import HANAKO
from tests.api.features.conftest import Sandbox, as_

ROUTES = [  # path, the WHMCS action behind it
    ("/api/invoices", "GetInvoices"),
    ("/api/invoices?status=paid&page=1&pageSize=2", "GetInvoices"),
    ("/api/subscriptions", "GetClientsProducts"),
    ("/api/subscriptions/5", "GetClientsProducts"),
]


async def _first_invoice_path(api: httpx.AsyncClient) -> str:
    listed = await api.get("/api/invoices", headers=as_("hanako"))
    return f"/api/invoices/{listed.json()['items'][0]['id']}"


@pytest.mark.parametrize(("path", "action"), ROUTES)
async def test_a_hit_answers_the_same_bytes_without_the_provider(
    api: httpx.AsyncClient, whmcs_box: Sandbox, path: str, action: str
) -> None:
    first = await api.get(path, headers=as_("hanako"))
    assert first.status_code == 200
    calls = (await whmcs_box.counts()).get(action, 0)
    again = await api.get(path, headers=as_("hanako"))
    assert again.status_code == 200
    assert again.headers["content-type"] == "application/json"
    assert again.content == first.content
    assert (await whmcs_box.counts()).get(action, 0) == calls


@pytest.mark.parametrize(
    ("route", "scope"),
    [("list", BILLING), ("detail", BILLING), ("list", SUBSCRIPTIONS), ("detail", SUBSCRIPTIONS)],
)
async def test_the_stored_json_is_served_as_is(
    api: httpx.AsyncClient, app_state: AppState, route: str, scope: str
) -> None:
    if scope == BILLING:
        path = await _first_invoice_path(api) if route == "detail" else "/api/invoices"
    else:
        path = "/api/subscriptions/5" if route == "detail" else "/api/subscriptions"
    first = await api.get(path, headers=as_("hanako"))
    key = CustomerCache.key(scope, str(HANAKO.client_id))
    stored = {bytes(k): bytes(v) for k, v in (await app_state.redis.hgetall(key)).items()}
    wanted = next(f for f, v in stored.items() if v.endswith(first.content))
    stamp, _, payload = stored[wanted].partition(b"\n")
    # Same value, other spacing: only a copy served as stored can answer with these bytes.
    respaced = json.dumps(json.loads(payload), indent=1, ensure_ascii=False).encode()
    await app_state.redis.hset(key, wanted, stamp + b"\n" + respaced)
    again = await api.get(path, headers=as_("hanako"))
    assert again.status_code == 200
    assert again.content == respaced
