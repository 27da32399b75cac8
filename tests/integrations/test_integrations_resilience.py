"""Faults injected in the sandboxes become typed errors within the call's deadline; the
breaker opens and recovers; reads are retried, writes never."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date

import pytest

from domain.common.money import Money
from integrations.errors import (
    CircuitOpen,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from integrations.freebit import FreebitClient, FreebitConfig
from integrations.http import HttpPolicy, build_http_client
from integrations.metrics import IntegrationMetrics
from integrations.resilience import BreakerState
from integrations.salesforce import SalesforceClient, SalesforceConfig, soql
from integrations.sandbox.demo_data import KENJI, TARO
from integrations.whmcs import WhmcsClient, WhmcsConfig
from tests.integrations.factories import TODAY, Faults, priced_order

SLACK = 0.3  # scheduling and connection set-up on top of the deadline


@dataclass(frozen=True)
class System:
    name: str
    faults: Faults
    scope: dict[str, str]  # fault rule scope that hits the read below, not auth
    read: Callable[[], Awaitable[object]]
    call_key: str


@pytest.fixture(params=["whmcs", "salesforce", "freebit"])
async def system(  # noqa: PLR0917 - pytest injects fixtures by name
    request: pytest.FixtureRequest,
    whmcs: WhmcsClient,
    salesforce: SalesforceClient,
    freebit: FreebitClient,
    whmcs_sandbox: Faults,
    salesforce_sandbox: Faults,
    freebit_sandbox: Faults,
) -> System:
    if request.param == "whmcs":
        return System(
            "whmcs", whmcs_sandbox, {"action": "GetInvoices"},
            lambda: whmcs.get_invoices(str(TARO.client_id)), "GetInvoices",
        )  # fmt: skip
    if request.param == "salesforce":
        await salesforce.tokens.get()  # authenticate first: faults target the REST call
        return System(
            "salesforce", salesforce_sandbox, {"path": "/services/data"},
            lambda: salesforce.query(soql("SELECT Id FROM Account")), "query",
        )  # fmt: skip
    await freebit.get_sim("09012340001")
    return System(
        "freebit", freebit_sandbox, {"path": "/emptool/api/mvno/getTrafficInfo/"},
        lambda: freebit.get_current_traffic("09012340001"), "/emptool/api/mvno/getTrafficInfo/",
    )  # fmt: skip


async def _timed(call: Callable[[], Awaitable[object]]) -> tuple[BaseException, float]:
    started = time.perf_counter()
    with pytest.raises(UpstreamError) as caught:
        await call()
    return caught.value, time.perf_counter() - started


async def test_slow_answer_beyond_the_deadline_times_out(
    system: System, policy: HttpPolicy
) -> None:
    await system.faults.set(**system.scope, latencyMs=3000)
    error, elapsed = await _timed(system.read)
    assert isinstance(error, UpstreamTimeout)
    assert error.system == system.name
    assert elapsed < policy.deadline + SLACK


async def test_hang_times_out_within_the_deadline(system: System, policy: HttpPolicy) -> None:
    await system.faults.set(**system.scope, hang=True)
    error, elapsed = await _timed(system.read)
    assert isinstance(error, UpstreamTimeout)
    assert elapsed < policy.deadline + SLACK


async def test_server_error_is_a_bad_response_after_retries(
    system: System, policy: HttpPolicy
) -> None:
    await system.faults.set(**system.scope, errorStatus=500)
    error, elapsed = await _timed(system.read)
    assert isinstance(error, UpstreamBadResponse)
    assert error.status == 500
    assert elapsed < policy.deadline + SLACK
    assert (await system.faults.counts())[system.call_key] == policy.retry_attempts


async def test_503_is_unavailable_with_retry_after(system: System) -> None:
    await system.faults.set(**system.scope, errorStatus=503)
    error, _ = await _timed(system.read)
    assert isinstance(error, UpstreamUnavailable)
    assert error.retry_after == 1.0


async def test_malformed_body_is_a_bad_response(system: System, policy: HttpPolicy) -> None:
    await system.faults.set(**system.scope, malformedBody=True)
    error, elapsed = await _timed(system.read)
    assert isinstance(error, UpstreamBadResponse)
    assert "truncated" not in str(error)  # never the provider's body
    assert elapsed < policy.deadline + SLACK


async def test_a_transient_failure_is_retried_away(system: System) -> None:
    await system.faults.set(**system.scope, errorStatus=503, times=2)
    await system.read()  # attempts 1 and 2 fail, attempt 3 answers
    assert (await system.faults.counts())[system.call_key] == 3


# -- writes are never repeated ---------------------------------------------------------


async def test_whmcs_add_order_is_sent_once_on_failure(
    whmcs: WhmcsClient, whmcs_sandbox: Faults
) -> None:
    for rule in ({"errorStatus": 500}, {"hang": True}, {"errorStatus": 503}):
        await whmcs_sandbox.set(action="AddOrder", **rule)
        before = (await whmcs_sandbox.counts()).get("AddOrder", 0)
        with pytest.raises(UpstreamError):
            await whmcs.add_order(priced_order(("VPN-PRO", "10", 1)), client_id="3")
        assert (await whmcs_sandbox.counts())["AddOrder"] == before + 1
    await whmcs_sandbox.clear()
    await asyncio.sleep(0.35)  # three failures opened the breaker
    assert (await whmcs.get_orders(client_id=str(KENJI.client_id))).total == 0


async def test_salesforce_writes_are_sent_once_on_failure(
    salesforce: SalesforceClient, salesforce_sandbox: Faults
) -> None:
    await salesforce.pricebook_id()  # a read create_order needs: keep it out of the faults
    await salesforce_sandbox.set(path="/services/data", errorStatus=503)
    with pytest.raises(UpstreamUnavailable):
        await salesforce.create("Contact", {"LastName": "x", "AccountId": KENJI.account_id})
    with pytest.raises(UpstreamUnavailable):
        await salesforce.create_order(
            priced_order(("VPN-PRO", "10", 1)), account_id=KENJI.account_id,
            effective_date=date.today(),
        )  # fmt: skip
    counts = await salesforce_sandbox.counts()
    assert counts["sobjects/Contact"] == 1
    assert counts["composite"] == 1


async def test_freebit_top_up_is_sent_once_on_failure(
    freebit: FreebitClient, freebit_sandbox: Faults
) -> None:
    await freebit_sandbox.set(path="/emptool/api/master/addSpec/", errorStatus=500)
    with pytest.raises(UpstreamBadResponse):
        await freebit.top_up(
            "09012340001", quota_mb=1024, quota_code="T", price=Money.of(1100, "JPY")
        )
    assert (await freebit_sandbox.counts())["/emptool/api/master/addSpec/"] == 1


# -- circuit breaker -------------------------------------------------------------------


def _state(client: WhmcsClient) -> BreakerState:
    # A call, not an attribute: mypy would otherwise narrow the state across awaits.
    return client.guard.breaker.state


@asynccontextmanager
async def _whmcs_with(
    config: WhmcsConfig, metrics: IntegrationMetrics, **changes: float
) -> AsyncIterator[WhmcsClient]:
    tuned = replace(config, http=replace(config.http, **changes))  # type: ignore[arg-type]
    async with build_http_client(tuned) as http:
        yield WhmcsClient(http, tuned, metrics=metrics, today=lambda: TODAY)


async def test_breaker_opens_fails_fast_and_recovers(
    whmcs_config: WhmcsConfig, metrics: IntegrationMetrics, whmcs_sandbox: Faults
) -> None:
    async with _whmcs_with(whmcs_config, metrics, retry_attempts=1) as whmcs:
        await whmcs_sandbox.set(action="GetInvoices", errorStatus=500)
        for _ in range(3):
            with pytest.raises(UpstreamBadResponse):
                await whmcs.get_invoices("1")
        assert _state(whmcs) is BreakerState.OPEN

        started = time.perf_counter()
        with pytest.raises(CircuitOpen) as caught:
            await whmcs.get_invoices("1")
        assert time.perf_counter() - started < 0.05
        assert 0 < caught.value.retry_after <= 0.3
        assert (await whmcs_sandbox.counts())["GetInvoices"] == 3  # nothing was sent

        await whmcs_sandbox.clear()
        await asyncio.sleep(0.35)
        assert (await whmcs.get_invoices("1")).total == 20  # the half-open probe
        assert _state(whmcs) is BreakerState.CLOSED
    transitions = metrics.breaker_transitions
    assert transitions.labels(system="whmcs", to_state="open")._value.get() == 1
    assert transitions.labels(system="whmcs", to_state="half_open")._value.get() == 1
    assert transitions.labels(system="whmcs", to_state="closed")._value.get() == 1


async def test_failed_probe_reopens_and_only_one_probe_runs(
    whmcs_config: WhmcsConfig, metrics: IntegrationMetrics, whmcs_sandbox: Faults
) -> None:
    async with _whmcs_with(whmcs_config, metrics, retry_attempts=1) as whmcs:
        await whmcs_sandbox.set(action="GetInvoices", errorStatus=500)
        for _ in range(3):
            with pytest.raises(UpstreamBadResponse):
                await whmcs.get_invoices("1")
        await asyncio.sleep(0.35)
        with pytest.raises(UpstreamBadResponse):
            await whmcs.get_invoices("1")  # the probe fails
        assert _state(whmcs) is BreakerState.OPEN

        await whmcs_sandbox.set(action="GetInvoices", latencyMs=150)
        await asyncio.sleep(0.35)
        results = await asyncio.gather(
            *(whmcs.get_invoices("1") for _ in range(5)), return_exceptions=True
        )
        assert sum(not isinstance(r, BaseException) for r in results) == 1
        assert sum(isinstance(r, CircuitOpen) for r in results) == 4
        assert _state(whmcs) is BreakerState.CLOSED


async def test_business_errors_do_not_open_the_breaker(
    whmcs: WhmcsClient, policy: HttpPolicy
) -> None:
    for _ in range(policy.breaker_failure_threshold + 2):
        with pytest.raises(UpstreamError):
            await whmcs.get_invoice("424242", client_id="1")
    assert _state(whmcs) is BreakerState.CLOSED


async def test_concurrency_limit_queues_calls(
    whmcs_config: WhmcsConfig, metrics: IntegrationMetrics, whmcs_sandbox: Faults
) -> None:
    async with _whmcs_with(whmcs_config, metrics, max_concurrency=2, deadline=2.0) as whmcs:
        await whmcs_sandbox.set(action="GetClientsDetails", latencyMs=100)
        started = time.perf_counter()
        await asyncio.gather(*(whmcs.get_client("1") for _ in range(6)))
        assert time.perf_counter() - started >= 0.3  # 6 calls, 2 at a time, 100 ms each


async def test_unreachable_system_is_unavailable(
    freebit_config: FreebitConfig, metrics: IntegrationMetrics
) -> None:
    config = replace(freebit_config, base_url="http://127.0.0.1:9")  # discard port: refused
    async with build_http_client(config) as http:
        client = FreebitClient(http, config, metrics=metrics)
        with pytest.raises(UpstreamUnavailable):
            await client.get_sim("09012340001")


async def test_salesforce_token_endpoint_down_is_unavailable(
    salesforce_config: SalesforceConfig, metrics: IntegrationMetrics, salesforce_sandbox: Faults
) -> None:
    await salesforce_sandbox.set(path="/services/oauth2/token", errorStatus=503)
    async with build_http_client(salesforce_config) as http:
        client = SalesforceClient(http, salesforce_config, metrics=metrics)
        with pytest.raises(UpstreamUnavailable):
            await client.query(soql("SELECT Id FROM Account"))


async def test_retry_waits_for_retry_after_up_to_the_backoff_cap(
    whmcs_config: WhmcsConfig, metrics: IntegrationMetrics, whmcs_sandbox: Faults
) -> None:
    async with _whmcs_with(whmcs_config, metrics, backoff_max=0.2, deadline=1.0) as whmcs:
        await whmcs_sandbox.set(action="GetInvoices", errorStatus=503, times=1)
        started = time.perf_counter()
        await whmcs.get_invoices("1")  # Retry-After: 1, capped at 0.2 s
        assert 0.2 <= time.perf_counter() - started < 0.6


async def test_no_backoff_sleeps_past_the_deadline(
    whmcs_config: WhmcsConfig, metrics: IntegrationMetrics, whmcs_sandbox: Faults
) -> None:
    async with _whmcs_with(whmcs_config, metrics, backoff_max=5.0, deadline=0.8) as whmcs:
        await whmcs_sandbox.set(action="GetInvoices", errorStatus=503)
        started = time.perf_counter()
        with pytest.raises(UpstreamUnavailable):  # the real failure, not a 504 spent asleep
            await whmcs.get_invoices("1")
        assert time.perf_counter() - started < 0.3
