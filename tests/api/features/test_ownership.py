"""Another customer's id is the same 404 as an id that does not exist, on every id route."""

from __future__ import annotations

import httpx
import pytest

from tests.api.features.conftest import as_

TARO_INVOICE = "1020"
TARO_SIM = "1"
MISSING = "99999"
EID = "89049032000000000000000000009999"

# (method, path template, json body, expected code); {id} is the resource id.
ROUTES = [
    ("GET", "/api/invoices/{id}", None, "billing.invoice_not_found"),
    ("POST", "/api/invoices/{id}/payment-session", None, "billing.invoice_not_found"),
    ("GET", "/api/subscriptions/{id}", None, "subscriptions.not_found"),
    ("GET", "/api/subscriptions/{id}/sim", None, "subscriptions.not_found"),
    ("GET", "/api/subscriptions/{id}/sim/usage", None, "subscriptions.not_found"),
    ("POST", "/api/subscriptions/{id}/sim/top-up", {"quotaMb": 1024}, "subscriptions.not_found"),
    ("POST", "/api/subscriptions/{id}/sim/plan-change", {"planCode": "PV010"},
     "subscriptions.not_found"),
    ("POST", "/api/subscriptions/{id}/sim/suspend", None, "subscriptions.not_found"),
    ("POST", "/api/subscriptions/{id}/sim/resume", None, "subscriptions.not_found"),
    ("POST", "/api/subscriptions/{id}/sim/esim-reissue", {"eid": EID}, "subscriptions.not_found"),
    ("GET", "/api/support/cases/{id}", None, "support.case_not_found"),
    ("POST", "/api/support/cases/{id}/comments", {"body": "hello"}, "support.case_not_found"),
]  # fmt: skip


async def _taro_ids(api: httpx.AsyncClient) -> dict[str, str]:
    cases = (await api.get("/api/support/cases", headers=as_("taro"))).json()["items"]
    return {"invoices": TARO_INVOICE, "subscriptions": TARO_SIM, "support": cases[0]["id"]}


def _missing(kind: str) -> str:
    return "500000000000099AAA" if kind == "support" else MISSING


@pytest.mark.parametrize("route", ROUTES, ids=[f"{m} {t}" for m, t, _, _ in ROUTES])
@pytest.mark.parametrize("intruder", ["hanako", "kenji"])
async def test_other_customers_ids_are_404(
    api: httpx.AsyncClient,
    intruder: str,
    route: tuple[str, str, dict[str, object] | None, str],
) -> None:
    method, template, body, code = route
    kind = template.split("/")[2]
    owned = (await _taro_ids(api))[kind]
    headers = as_(intruder, **{"Idempotency-Key": f"own-{intruder}-{template}"})
    theirs = await api.request(method, template.format(id=owned), json=body, headers=headers)
    missing = await api.request(
        method, template.format(id=_missing(kind)), json=body, headers=headers
    )
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["code"] == missing.json()["code"] == code
    assert theirs.json()["detail"] == missing.json()["detail"]
    # The owner does see it (the route works; it is ownership that hides it).
    if method == "GET":
        mine = await api.get(template.format(id=owned), headers=as_("taro"))
        assert mine.status_code == 200
