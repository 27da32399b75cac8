"""`/api/subscriptions/{id}/sim...` against the WHMCS and Freebit sandboxes."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest

from domain.common.dates import JST, first_day_of_next_month
from tests.api.features.conftest import Sandbox, as_

PHYSICAL = "/api/subscriptions/3/sim"  # Hanako, SIM-VOICE-20G (PV020)
ESIM = "/api/subscriptions/4/sim"  # Hanako, SIM-ESIM-10G (PE010)
INTERNET = "/api/subscriptions/5/sim"
NEW_EID = "89049032000000000000000000009999"
TOP_UP = "/emptool/api/master/addSpec/"


async def test_sim_details(api: httpx.AsyncClient) -> None:
    response = await api.get(PHYSICAL, headers=as_("hanako"))
    assert response.status_code == 200
    body = response.json()
    assert body["msisdn"] == "08056780002"
    assert body["iccid"].startswith("8981100000000000022")
    assert body["simType"] == "physical" and body["status"] == "active"
    assert body["planCode"] == "PV020"
    esim = (await api.get(ESIM, headers=as_("hanako"))).json()
    assert esim["simType"] == "esim"


async def test_non_sim_subscription_is_409(api: httpx.AsyncClient) -> None:
    for path in (INTERNET, f"{INTERNET}/usage"):
        response = await api.get(path, headers=as_("hanako"))
        assert response.status_code == 409
        assert response.json()["code"] == "sim.not_a_sim"
    response = await api.post(f"{INTERNET}/suspend", headers=as_("hanako"))
    assert response.json()["code"] == "sim.not_a_sim"


async def test_usage_by_month_and_day(api: httpx.AsyncClient) -> None:
    body = (await api.get(f"{PHYSICAL}/usage", params={"months": 3}, headers=as_("hanako"))).json()
    months = body["months"]
    assert len(months) == 3
    assert months[0]["month"] == dt.datetime.now(JST).strftime("%Y-%m")
    assert all(m["usedMb"] >= 0 for m in months)
    assert months[0]["days"] and set(months[0]["days"][0]) == {"date", "usedMb"}


@pytest.mark.parametrize("months", [0, 13])
async def test_usage_months_out_of_range(api: httpx.AsyncClient, months: int) -> None:
    response = await api.get(f"{PHYSICAL}/usage", params={"months": months}, headers=as_("hanako"))
    assert response.status_code == 422


async def test_top_up_requires_a_key(api: httpx.AsyncClient) -> None:
    response = await api.post(f"{PHYSICAL}/top-up", json={"quotaMb": 1024}, headers=as_("hanako"))
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency.key_required"
    bad = await api.post(
        f"{PHYSICAL}/top-up",
        json={"quotaMb": 1024},
        headers=as_("hanako", **{"Idempotency-Key": "k" * 256}),
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "idempotency.key_invalid"


async def test_top_up_is_billed_once_and_replayed(
    api: httpx.AsyncClient, freebit_box: Sandbox, whmcs_box: Sandbox
) -> None:
    headers = as_("hanako", **{"Idempotency-Key": "top-up-1"})
    first = await api.post(f"{PHYSICAL}/top-up", json={"quotaMb": 3072}, headers=headers)
    assert first.status_code == 201
    body = first.json()
    assert body["quotaMb"] == 3072
    assert body["price"] == {"amount": "3300.00", "currency": "JPY"}
    assert "Idempotent-Replayed" not in first.headers
    again = await api.post(f"{PHYSICAL}/top-up", json={"quotaMb": 3072}, headers=headers)
    assert again.status_code == 201
    assert again.json() == body
    assert again.headers["Idempotent-Replayed"] == "true"
    reused = await api.post(f"{PHYSICAL}/top-up", json={"quotaMb": 1024}, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency.key_reused"
    assert (await freebit_box.counts()).get(TOP_UP) == 1
    assert (await whmcs_box.counts()).get("AddOrder") == 1
    unpaid = (
        await api.get("/api/invoices", params={"status": "unpaid"}, headers=as_("hanako"))
    ).json()
    assert any(i["total"]["amount"] == "3630.00" for i in unpaid["items"])  # 3,300 + 10% tax


async def test_concurrent_duplicate_top_ups_run_once(
    api: httpx.AsyncClient, freebit_box: Sandbox
) -> None:
    await freebit_box.fault(path=TOP_UP, latencyMs=200)
    headers = as_("hanako", **{"Idempotency-Key": "top-up-race"})
    responses = await asyncio.gather(
        *(
            api.post(f"{PHYSICAL}/top-up", json={"quotaMb": 1024}, headers=headers)
            for _ in range(10)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    assert all(
        r.json()["code"] == "idempotency.in_progress" for r in responses if r.status_code == 409
    )
    assert (await freebit_box.counts()).get(TOP_UP) == 1


async def test_top_up_size_must_come_from_the_plan(api: httpx.AsyncClient) -> None:
    response = await api.post(
        f"{PHYSICAL}/top-up",
        json={"quotaMb": 500},
        headers=as_("hanako", **{"Idempotency-Key": "odd-size"}),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "sim.top_up_size_not_allowed"
    # Not stored: the corrected retry with the same key works.
    fixed = await api.post(
        f"{PHYSICAL}/top-up",
        json={"quotaMb": 1024},
        headers=as_("hanako", **{"Idempotency-Key": "odd-size"}),
    )
    assert fixed.status_code == 201


async def test_freebit_failure_is_not_stored(api: httpx.AsyncClient, freebit_box: Sandbox) -> None:
    headers = as_("hanako", **{"Idempotency-Key": "flaky"})
    await freebit_box.fault(path=TOP_UP, errorStatus=503)
    failed = await api.post(f"{PHYSICAL}/top-up", json={"quotaMb": 1024}, headers=headers)
    assert failed.status_code == 503
    await freebit_box.clear()
    retried = await api.post(f"{PHYSICAL}/top-up", json={"quotaMb": 1024}, headers=headers)
    assert retried.status_code == 201


async def test_plan_change_next_month_and_replace(api: httpx.AsyncClient) -> None:
    headers = as_("hanako")
    response = await api.post(
        f"{PHYSICAL}/plan-change", json={"planCode": "PV010"}, headers=headers
    )
    assert response.status_code == 202
    expected = first_day_of_next_month(dt.datetime.now(JST).date()).isoformat()
    assert response.json() == {"planCode": "PV010", "effectiveOn": expected}
    pending = (await api.get(PHYSICAL, headers=headers)).json()["pendingPlanChange"]
    assert pending == {"planCode": "PV010", "effectiveOn": expected}
    replaced = await api.post(
        f"{PHYSICAL}/plan-change", json={"planCode": "PD003"}, headers=headers
    )
    assert replaced.status_code == 202
    pending = (await api.get(PHYSICAL, headers=headers)).json()["pendingPlanChange"]
    assert pending["planCode"] == "PD003"


async def test_plan_change_refusals(api: httpx.AsyncClient) -> None:
    headers = as_("hanako")
    same = await api.post(f"{PHYSICAL}/plan-change", json={"planCode": "PV020"}, headers=headers)
    assert same.status_code == 409
    assert same.json()["code"] == "sim.plan_unchanged"
    for plan in ("PE010", "NOPE"):  # an eSIM plan on a physical SIM; an unknown plan
        refused = await api.post(
            f"{PHYSICAL}/plan-change", json={"planCode": plan}, headers=headers
        )
        assert refused.status_code == 422
        assert refused.json()["code"] == "sim.plan_not_allowed"


async def test_suspend_then_resume(api: httpx.AsyncClient) -> None:
    headers = as_("hanako")
    suspended = await api.post(f"{PHYSICAL}/suspend", headers=headers)
    assert suspended.status_code == 202
    assert suspended.json() == {"status": "suspend_requested"}
    await asyncio.sleep(0.2)  # Freebit applies it asynchronously
    assert (await api.get(PHYSICAL, headers=headers)).json()["status"] == "suspended"
    again = await api.post(f"{PHYSICAL}/suspend", headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "sim.invalid_state"
    resumed = await api.post(f"{PHYSICAL}/resume", headers=headers)
    assert resumed.status_code == 202
    await asyncio.sleep(0.2)
    assert (await api.get(PHYSICAL, headers=headers)).json()["status"] == "active"


async def test_a_state_change_while_one_is_applied_is_409_not_a_provider_error(
    api: httpx.AsyncClient,
) -> None:
    headers = as_("hanako")
    assert (await api.post(f"{PHYSICAL}/suspend", headers=headers)).status_code == 202
    # The line still reads active until Freebit applies the first change; Freebit refuses
    # the second one as "line in progress", which is the customer's conflict, not a 502.
    again = await api.post(f"{PHYSICAL}/suspend", headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "sim.invalid_state"
    await asyncio.sleep(0.2)
    assert (await api.post(f"{PHYSICAL}/resume", headers=headers)).status_code == 202
    await asyncio.sleep(0.2)


async def test_resume_an_active_line_is_409(api: httpx.AsyncClient) -> None:
    response = await api.post(f"{PHYSICAL}/resume", headers=as_("hanako"))
    assert response.status_code == 409


async def test_esim_reissue(api: httpx.AsyncClient) -> None:
    response = await api.post(f"{ESIM}/esim-reissue", json={"eid": NEW_EID}, headers=as_("hanako"))
    assert response.status_code == 202
    assert response.json()["activationCode"].startswith("LPA:1$")
    physical = await api.post(
        f"{PHYSICAL}/esim-reissue", json={"eid": NEW_EID}, headers=as_("hanako")
    )
    assert physical.status_code == 409
    assert physical.json()["code"] == "sim.not_an_esim"
    bad = await api.post(f"{ESIM}/esim-reissue", json={"eid": "123"}, headers=as_("hanako"))
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("rule", "status"),
    [({"errorStatus": 503}, 503), ({"hang": True}, 504), ({"errorStatus": 500}, 502)],
)
async def test_freebit_faults(
    api: httpx.AsyncClient, freebit_box: Sandbox, rule: dict[str, object], status: int
) -> None:
    await freebit_box.fault(path="/emptool/api/master/getAcnt/", **rule)
    response = await api.get(PHYSICAL, headers=as_("hanako"))
    assert response.status_code == status
