"""Each sandbox fault while the customer journey runs: no 500s, every answer within its
deadline, the breaker opens fast and recovers, and orders placed during the fault are
provisioned exactly once when it clears."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.api.features.conftest import Sandbox
from tests.fault.conftest import BREAKER_RESET_S, BREAKER_THRESHOLD, REQUEST_DEADLINE_S, Stack
from tests.fault.journey import HANAKO_SIM, Journey, assert_held

# Scheduling slack on a loaded two-core CI machine; the bound is the deadline, not speed.
MARGIN_S = 1.0
ACTIVE_WITHIN_S = 30.0

FAULTS: dict[str, dict[str, Any]] = {
    "latency above the deadline": {"latencyMs": 1500},
    "5xx burst": {"errorStatus": 503, "times": 8},
    "hang": {"hang": True},
    "malformed body": {"malformedBody": True},
}


# A read served by each system alone (SIM detail also reads WHMCS, which stays healthy).
BREAKER_READS = {
    "whmcs": "/api/invoices",
    "salesforce": "/api/support/cases",
    "freebit": HANAKO_SIM,
}


async def _fault(boxes: list[Sandbox], rule: dict[str, Any]) -> None:
    await asyncio.gather(*(box.fault(**rule) for box in boxes))


async def _clear(boxes: list[Sandbox]) -> None:
    await asyncio.gather(*(box.clear() for box in boxes))


async def _recover(journey: Journey) -> None:
    """After the fault: each breaker lets one probe through, then the journey runs clean."""
    auth = await journey.token()
    loop = asyncio.get_running_loop()
    for url in BREAKER_READS.values():
        deadline = loop.time() + 5 * BREAKER_RESET_S
        while (await journey.api.get(url, headers=auth)).status_code != 200:
            assert loop.time() < deadline, f"{url} did not recover"
            await asyncio.sleep(0.1)
    for _ in range(3):
        journey.answers.clear()
        await journey.run()
        if not journey.unplaced and all(a.status < 400 for a in journey.answers):
            return
        await asyncio.sleep(BREAKER_RESET_S)  # a breaker opened again on a slow call
    raise AssertionError("no clean journey after the fault cleared: " + _show(journey))


def _show(journey: Journey) -> str:
    return "; ".join(str(a) for a in journey.answers)


async def _provisioned_once(stack: Stack, journey: Journey, whmcs: Sandbox, before: int) -> None:
    for order_id in journey.approved:
        statuses = await journey.watch(order_id, within_s=ACTIVE_WITHIN_S)
        assert statuses[-1] == "active", (order_id, statuses)
    added = (await whmcs.counts()).get("AddOrder", 0) - before
    assert added == len(journey.approved), "one WHMCS AddOrder per approved order"


@pytest.mark.parametrize("rule", FAULTS.values(), ids=FAULTS.keys())
async def test_journey_holds_under_the_fault_and_loses_no_order(
    stack: Stack,
    rule: dict[str, Any],
    *,
    whmcs_box: Sandbox,
    salesforce_box: Sandbox,
    freebit_box: Sandbox,
) -> None:
    journey = Journey(stack.api, stack.email, salesforce_box)
    added_before = (await whmcs_box.counts()).get("AddOrder", 0)
    orders_before = await _order_count(journey)

    # Billing and SIM systems faulty: orders are placed and approved, provisioning waits.
    await _fault([whmcs_box, freebit_box], rule)
    await journey.run()
    assert journey.approved, _show(journey)
    # Every system faulty, Salesforce too: nothing answers normally.
    await stack.forget_catalog()
    await _fault([whmcs_box, freebit_box, salesforce_box], rule)
    await journey.run()
    faulted = list(journey.answers)
    await _clear([whmcs_box, freebit_box, salesforce_box])

    assert_held(faulted, deadline_s=REQUEST_DEADLINE_S, margin_s=MARGIN_S)
    assert any(a.status >= 500 for a in faulted), "the fault never showed"
    await _recover(journey)
    await _provisioned_once(stack, journey, whmcs_box, added_before)
    # A POST cut off by its deadline leaves no second Salesforce Order behind its retry.
    assert await _order_count(journey) - orders_before == len(journey.approved)


async def _order_count(journey: Journey) -> int:
    listed = await journey.api.get("/api/orders", headers=await journey.token())
    assert listed.status_code == 200, listed.text
    return int(listed.json()["total"])


@pytest.mark.parametrize(("system", "url"), BREAKER_READS.items(), ids=BREAKER_READS.keys())
async def test_breaker_opens_fast_with_retry_after_and_recovers(
    stack: Stack, system: str, url: str, request: pytest.FixtureRequest
) -> None:
    box: Sandbox = request.getfixturevalue(f"{system}_box")
    journey = Journey(stack.api, stack.email, box)
    auth = await journey.token()
    await box.fault(errorStatus=503)
    for _ in range(BREAKER_THRESHOLD):
        failed = await journey.call(system, "GET", url, headers=auth)
        assert failed.status_code in (502, 503), failed.text
    sent = await _calls(box)

    started = time.monotonic()
    fast = await journey.call(system, "GET", url, headers=auth)
    assert fast.status_code == 503, fast.text
    assert int(fast.headers["retry-after"]) >= 1
    assert fast.json()["code"] == "upstream.unavailable"
    assert await _calls(box) == sent, "an open breaker sends nothing"
    assert time.monotonic() - started < REQUEST_DEADLINE_S  # failed fast, not timed out

    await box.clear()
    await asyncio.sleep(BREAKER_RESET_S)
    recovered = await journey.call(system, "GET", url, headers=auth)
    assert recovered.status_code == 200, recovered.text
    assert await _calls(box) > sent
    assert_held(journey.answers, deadline_s=REQUEST_DEADLINE_S, margin_s=MARGIN_S)


async def _calls(box: Sandbox) -> int:
    response = await box.client.get(f"{box.base}/_sandbox/calls")
    response.raise_for_status()
    return int(response.json()["total"])


async def test_orders_approved_while_the_pubsub_stream_drops_are_provisioned_once(
    stack: Stack, whmcs_box: Sandbox, salesforce_box: Sandbox, control: httpx.AsyncClient
) -> None:
    journey = Journey(stack.api, stack.email, salesforce_box)
    added_before = (await whmcs_box.counts()).get("AddOrder", 0)
    drop = f"{salesforce_box.base}/_sandbox/pubsub/drop"
    subscribes = await _subscribes(control, salesforce_box)
    auth = await journey.token()
    dropped = 0
    for _ in range(3):
        dropped += await _drop_open_stream(control, drop)
        await journey.place_orders(auth, new=1)
    dropped += await _drop_open_stream(control, drop)
    assert len(journey.approved) == 3, journey.answers
    assert_held(journey.answers, deadline_s=REQUEST_DEADLINE_S, margin_s=MARGIN_S)
    await _provisioned_once(stack, journey, whmcs_box, added_before)
    assert await _subscribes(control, salesforce_box) - subscribes >= dropped, "it resubscribed"


async def _drop_open_stream(control: httpx.AsyncClient, drop: str, within_s: float = 5.0) -> int:
    """Drop the consumer's stream once it is open again (it resubscribes after a backoff)."""
    async with asyncio.timeout(within_s):
        while True:
            dropped = int((await control.post(drop)).json()["dropped"])
            if dropped:
                return dropped
            await asyncio.sleep(0.02)


async def _subscribes(control: httpx.AsyncClient, salesforce: Sandbox) -> int:
    response = await control.get(f"{salesforce.base}/_sandbox/pubsub/events")
    response.raise_for_status()
    return int(response.json()["subscribes"])
