"""Freebit client against the Freebit sandbox (team-proposal wire format)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from domain.common.dates import first_day_of_next_month
from domain.common.money import Money
from domain.sim.contract import NewLine, SimType
from integrations.errors import UpstreamUnavailable
from integrations.freebit import (
    FreebitAuthError,
    FreebitClient,
    FreebitConfig,
    FreebitError,
    FreebitLineBusy,
    FreebitUnknownLine,
)
from integrations.http import build_http_client
from integrations.metrics import IntegrationMetrics
from tests.integrations.factories import TODAY, Faults

TARO_LINE = "09012340001"
HANAKO_LINE = "08056780002"
HANAKO_ESIM = "08056780003"
NEW_EID = "89049032000000000000000000000099"


async def test_sim_details_for_physical_and_esim(freebit: FreebitClient) -> None:
    physical = await freebit.get_sim(HANAKO_LINE)
    esim = await freebit.get_sim(HANAKO_ESIM)
    assert (physical.msisdn, physical.sim_type.value) == (HANAKO_LINE, "physical")
    assert esim.sim_type.value == "esim"
    assert physical.plan_code == "PV020"
    assert physical.data_cap_mb == 20480
    assert physical.status.value == "active"


async def test_unknown_line(freebit: FreebitClient) -> None:
    with pytest.raises(FreebitUnknownLine) as caught:
        await freebit.get_sim("09000000000")
    assert caught.value.code == "400-101"
    assert "09000000000" not in str(caught.value)


async def test_current_traffic_and_usage_history(freebit: FreebitClient) -> None:
    traffic = await freebit.get_current_traffic(TARO_LINE)
    assert traffic.this_month_mb > 0
    assert len(traffic.recent_days) == 3
    usage = await freebit.get_usage(TARO_LINE, months=3)
    assert len(usage.months) == 3
    assert usage.months[0].month == f"{TODAY:%Y-%m}"
    assert usage.months[0].used_mb == traffic.this_month_mb


async def test_top_up_adds_quota(freebit: FreebitClient) -> None:
    before = await freebit.get_sim(TARO_LINE)
    top_up = await freebit.top_up(
        TARO_LINE, quota_mb=1024, quota_code="TOPUP-1G", price=Money.of(1100, "JPY")
    )
    assert top_up.quota_mb == 1024
    assert top_up.id
    after = await freebit.get_sim(TARO_LINE)
    assert after.data_remaining_mb == before.data_remaining_mb + 1024


async def test_plan_change_is_reserved_for_next_month(freebit: FreebitClient) -> None:
    change = await freebit.change_plan(HANAKO_LINE, plan_code="PV010")
    assert change.effective_on == first_day_of_next_month(TODAY)
    sim = await freebit.get_sim(HANAKO_LINE)
    assert sim.pending_plan_change is not None
    with pytest.raises(FreebitError):  # an eSIM plan on a physical SIM
        await freebit.change_plan(HANAKO_LINE, plan_code="PE010")


async def test_suspend_locks_the_line_then_applies(freebit: FreebitClient) -> None:
    await freebit.suspend(TARO_LINE, reason="customer request")
    with pytest.raises(FreebitLineBusy):
        await freebit.resume(TARO_LINE)
    await asyncio.sleep(0.35)  # the test sandbox applies asynchronous operations after 0.3 s
    assert (await freebit.get_sim(TARO_LINE)).status.value == "suspended"
    await freebit.resume(TARO_LINE)
    await asyncio.sleep(0.35)
    assert (await freebit.get_sim(TARO_LINE)).status.value == "active"


async def test_esim_reissue_returns_an_activation_code(freebit: FreebitClient) -> None:
    reissue = await freebit.reissue_esim(HANAKO_ESIM, eid=NEW_EID)
    assert reissue.activation_code is not None
    assert reissue.activation_code.startswith("LPA:1$")
    with pytest.raises(FreebitLineBusy):
        await freebit.reissue_esim(HANAKO_ESIM, eid=NEW_EID)


async def test_esim_reissue_on_a_physical_sim_is_refused(freebit: FreebitClient) -> None:
    with pytest.raises(FreebitError) as caught:
        await freebit.reissue_esim(TARO_LINE, eid=NEW_EID)
    assert caught.value.code == "400-356"


async def test_auth_key_is_cached_and_renewed_once_when_expired(
    freebit: FreebitClient, freebit_sandbox: Faults
) -> None:
    await freebit.get_sim(TARO_LINE)
    await freebit.get_sim(HANAKO_LINE)
    assert (await freebit_sandbox.counts())["/emptool/api/authOem/"] == 1
    (await freebit_sandbox.post("/_sandbox/authkeys/expire")).raise_for_status()
    await freebit.get_sim(TARO_LINE)
    counts = await freebit_sandbox.counts()
    assert counts["/emptool/api/authOem/"] == 2
    assert counts["/emptool/api/master/getAcnt/"] == 4


async def test_wrong_oem_credentials(
    freebit_config: FreebitConfig, metrics: IntegrationMetrics
) -> None:
    config = replace(freebit_config, oem_key="wrong")
    async with build_http_client(config) as http:
        with pytest.raises(FreebitAuthError) as caught:
            await FreebitClient(http, config, metrics=metrics).get_sim(TARO_LINE)
    assert caught.value.code == "211"


def new_line(key: str, *, plan_code: str = "PD003", sim_type: str = "physical") -> NewLine:
    return NewLine(line_key=key, plan_code=plan_code, sim_type=SimType(sim_type))


async def test_a_new_line_is_opened_once_and_found_by_its_key(
    freebit: FreebitClient, freebit_sandbox: Faults
) -> None:
    assert await freebit.find_line("8015g0000000099AAA:41") is None
    opened = await freebit.activate_line(new_line("8015g0000000099AAA:41"))
    assert opened.msisdn.startswith("070") and opened.iccid.startswith("898110")
    assert opened.activation_code is None  # physical SIM
    found = await freebit.find_line("8015g0000000099AAA:41")
    assert found is not None and (found.msisdn, found.iccid) == (opened.msisdn, opened.iccid)
    # Activating: locked, state "00"; the same key again is "line locked" meanwhile.
    assert (await freebit.get_sim(opened.msisdn)).status.value == "unknown"
    with pytest.raises(FreebitLineBusy):
        await freebit.activate_line(new_line("8015g0000000099AAA:41"))
    await asyncio.sleep(0.35)  # the test sandbox applies asynchronous operations after 0.3 s
    sim = await freebit.get_sim(opened.msisdn)
    assert (sim.status.value, sim.plan_code, sim.sim_type.value) == ("active", "PD003", "physical")
    with pytest.raises(FreebitError) as caught:  # opened already: refused, not duplicated
        await freebit.activate_line(new_line("8015g0000000099AAA:41"))
    assert caught.value.code == "400-356"
    other = await freebit.activate_line(new_line("8015g0000000099AAA:42"))
    assert other.msisdn != opened.msisdn
    assert (await freebit_sandbox.counts()).get("/emptool/api/mvno/ota/addAcnt/") == 4


async def test_a_new_esim_line_returns_an_activation_code(freebit: FreebitClient) -> None:
    opened = await freebit.activate_line(new_line("k-esim", plan_code="PE010", sim_type="esim"))
    assert opened.activation_code is not None and opened.activation_code.startswith("LPA:1$")
    assert "activation_code" not in repr(opened)  # a credential: kept out of logs
    with pytest.raises(FreebitError) as caught:  # an eSIM plan on the OTA (physical) path
        await freebit.activate_line(new_line("k-ota", plan_code="PE010"))
    assert caught.value.code == "400-356"


async def test_opening_a_line_is_sent_once_despite_a_fault(
    freebit: FreebitClient, freebit_sandbox: Faults
) -> None:
    await freebit_sandbox.set(path="/emptool/api/mvno/ota/", errorStatus=503, times=1)
    with pytest.raises(UpstreamUnavailable):
        await freebit.activate_line(new_line("k-fault"))
    assert (await freebit_sandbox.counts()).get("/emptool/api/mvno/ota/addAcnt/") == 1
    assert await freebit.find_line("k-fault") is None  # the fault came before the operator
