"""Freebit (team sandbox proposal) -> sim, and the request bodies sim sends."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.common import Money, ProviderPayloadError, ValidationFailedError
from domain.sim import PlanChange, SimStatus, SimType, TopUpStatus
from domain.sim.providers.freebit import (
    account_detail_request,
    current_traffic_from_freebit,
    esim_reissue_from_freebit,
    esim_reissue_request,
    plan_change_from_freebit,
    plan_change_request,
    sim_details_from_freebit,
    sim_usage_from_freebit,
    state_change_request,
    top_up_from_freebit,
    top_up_request,
    traffic_history_request,
    traffic_request,
)

Payload = Callable[[str, str], Any]
TODAY = date(2026, 11, 23)


def test_physical_voice_sim(payload: Payload) -> None:
    sim = sim_details_from_freebit(payload("freebit", "account_detail"))
    assert sim.model_dump(mode="json") == {
        "iccid": "8981100005500000017",
        "msisdn": "09012345678",
        "simType": "physical",
        "status": "active",
        "planCode": "PLAN_20G",
        "planName": "データ20GBプラン",
        "dataRemainingMb": 15360,
        "dataCapMb": 21504,
        "voiceEnabled": True,
        "pendingPlanChange": None,
    }


def test_suspended_esim_with_pending_plan_change(payload: Payload) -> None:
    sim = sim_details_from_freebit(payload("freebit", "account_detail_esim_pending_change"))
    assert (sim.sim_type, sim.status, sim.voice_enabled) == (
        SimType.ESIM,
        SimStatus.SUSPENDED,
        False,
    )
    assert sim.pending_plan_change == PlanChange(
        plan_code="PLAN_20G", effective_on=date(2026, 12, 1)
    )
    assert sim.data_remaining_mb == 0


def test_single_object_no_sim_type_unknown_state(payload: Payload) -> None:
    sim = sim_details_from_freebit(payload("freebit", "account_detail_single_object"))
    assert (sim.sim_type, sim.status, sim.plan_name, sim.data_cap_mb) == (
        SimType.ESIM,
        SimStatus.UNKNOWN,
        "PLAN_1G",
        0,
    )


@pytest.mark.parametrize(
    ("datas", "field"),
    [
        ([], "responseDatas"),
        ([{"account": "09012345678", "planCode": "P"}], "responseDatas[0].iccid"),
    ],
)
def test_unusable_detail_is_a_payload_error(datas: list[dict[str, str]], field: str) -> None:
    with pytest.raises(ProviderPayloadError) as caught:
        sim_details_from_freebit({"resultCode": "100", "responseDatas": datas})
    assert caught.value.field == field


def test_current_traffic(payload: Payload) -> None:
    traffic = current_traffic_from_freebit(payload("freebit", "traffic_info"))
    assert (traffic.today_mb, traffic.this_month_mb, traffic.remaining_mb, traffic.throttled) == (
        120,
        5120,
        15360,
        False,
    )
    assert [d.date for d in traffic.recent_days] == [
        date(2026, 10, 31),
        date(2026, 11, 21),
        date(2026, 11, 22),
        date(2026, 11, 23),
    ]


def test_usage_combines_history_and_current_month(payload: Payload) -> None:
    current = current_traffic_from_freebit(payload("freebit", "traffic_info"))
    usage = sim_usage_from_freebit(
        payload("freebit", "traffic_history"), current=current, today=TODAY, months=3
    )
    assert [(m.month, m.used_mb) for m in usage.months] == [
        ("2026-11", 5120),
        ("2026-10", 15000),
        ("2026-09", 20480),
    ]
    assert [d.used_mb for d in usage.months[0].days] == [0, 350, 120]
    assert [d.date for d in usage.months[1].days] == [date(2026, 10, 31)]
    assert usage.model_dump(mode="json")["months"][1] == {
        "month": "2026-10",
        "usedMb": 15000,
        "days": [{"date": "2026-10-31", "usedMb": 210}],
    }


def test_usage_from_history_only(payload: Payload) -> None:
    usage = sim_usage_from_freebit(payload("freebit", "traffic_history"), today=TODAY, months=12)
    assert [m.month for m in usage.months] == ["2026-11", "2026-10", "2026-09", "2026-08"]
    assert (
        sim_usage_from_freebit({"resultCode": "100", "history": ""}, today=TODAY, months=1).months
        == ()
    )
    with pytest.raises(ProviderPayloadError, match=r"history\[0\]\.month"):
        sim_usage_from_freebit(
            {"resultCode": "100", "history": [{"month": "2026"}]}, today=TODAY, months=1
        )


def test_top_up_plan_change_and_esim_results(payload: Payload) -> None:
    price = Money.of(550, "JPY")
    top_up = top_up_from_freebit(payload("freebit", "add_spec"), quota_mb=1024, price=price)
    assert top_up.model_dump(mode="json") == {
        "id": "Q20261123000042",
        "quotaMb": 1024,
        "price": {"amount": "550.00", "currency": "JPY"},
        "status": "accepted",
    }
    assert top_up.status is TopUpStatus.ACCEPTED
    with pytest.raises(ProviderPayloadError, match="quotaId"):
        top_up_from_freebit({"resultCode": "100"}, quota_mb=1, price=price)
    change = plan_change_from_freebit(
        payload("freebit", "change_plan"), plan_code="PLAN_5G", effective_on=date(2026, 12, 1)
    )
    assert change.model_dump(mode="json") == {"planCode": "PLAN_5G", "effectiveOn": "2026-12-01"}
    reissue = esim_reissue_from_freebit(payload("freebit", "esim_reissue"))
    assert reissue.activation_code == "LPA:1$smdp.example.jp$ABCD-1234-EFGH-5678"
    with pytest.raises(ProviderPayloadError, match="resultCode"):
        esim_reissue_from_freebit({"activationCode": "x"})


def test_request_bodies() -> None:
    assert account_detail_request("09012345678") == {
        "version": "2",
        "requestDatas": [{"kind": "MVNO", "account": "09012345678"}],
    }
    assert traffic_request("09012345678") == {"account": "09012345678"}
    assert traffic_history_request(
        "0901", from_month=date(2026, 1, 1), to_month=date(2026, 11, 1)
    ) == {
        "account": "0901",
        "fromMonth": "202601",
        "toMonth": "202611",
    }
    assert top_up_request(
        "0901", quota_mb=1024, quota_code="TOPUP1G", expire=date(2026, 11, 30)
    ) == {
        "kind": "MVNO",
        "account": "0901",
        "quota": "1024",
        "quotaCode": "TOPUP1G",
        "expire": "20261130",
    }
    with pytest.raises(ValidationFailedError, match="quotaMb"):
        top_up_request("0901", quota_mb=0, quota_code="x", expire=TODAY)
    assert (
        plan_change_request("0901", plan_code="PLAN_5G", today=date(2026, 12, 31))["runTime"]
        == "20270101"
    )
    assert state_change_request("0901", suspend=True, reason="lost") == {
        "account": "0901",
        "state": "20",
        "reason": "lost",
    }
    assert state_change_request("0901", suspend=False) == {"account": "0901", "state": "10"}
    assert esim_reissue_request("0901", eid="E2") == {
        "addKind": "R",
        "account": "0901",
        "eid": "E2",
        "reissue": {"oldEid": "E2"},
    }


@st.composite
def detail_payloads(draw: st.DrawFn) -> dict[str, Any]:
    base, added, remaining = (
        draw(st.integers(0, 10**6)),
        draw(st.integers(0, 10**6)),
        draw(st.integers(0, 10**6)),
    )
    line = {
        "kind": "MVNO",
        "account": draw(st.from_regex(r"0[789]0\d{8}", fullmatch=True)),
        "iccid": draw(st.from_regex(r"\d{19}", fullmatch=True)),
        "planCode": draw(st.from_regex(r"PLAN_[0-9A-Z]{1,4}", fullmatch=True)),
        "state": draw(st.sampled_from(["10", "20", "30", "40", "99", ""])),
        "simType": draw(st.sampled_from(["physical", "esim", "", "nano"])),
        "quota": {"remainingMb": str(remaining), "baseMb": str(base), "addedMb": str(added)},
    }
    if draw(st.booleans()):
        line["talkOption"] = {"voiceMail": draw(st.sampled_from(["10", "20"]))}
    return {"resultCode": "100", "responseDatas": draw(st.sampled_from([[line], line]))}


@given(detail=detail_payloads())
def test_any_detail_maps_without_floats(
    detail: dict[str, Any], assert_no_floats: Callable[[Any], None]
) -> None:
    sim = sim_details_from_freebit(detail)
    line = (
        detail["responseDatas"][0]
        if isinstance(detail["responseDatas"], list)
        else detail["responseDatas"]
    )
    assert sim.data_cap_mb == int(line["quota"]["baseMb"]) + int(line["quota"]["addedMb"])
    assert sim.voice_enabled == ("talkOption" in line)
    assert_no_floats(sim)


@given(
    history=st.lists(
        st.tuples(st.integers(2020, 2030), st.integers(1, 12), st.integers(0, 10**6)),
        max_size=24,
        unique_by=lambda t: t[:2],
    ),
    months=st.integers(1, 12),
)
def test_usage_keeps_the_newest_months_in_order(
    history: list[tuple[int, int, int]], months: int
) -> None:
    payload = {
        "resultCode": "100",
        "history": [{"month": f"{y}{m:02d}", "usedMb": str(mb)} for y, m, mb in history],
    }
    usage = sim_usage_from_freebit(payload, today=TODAY, months=months)
    labels = [m.month for m in usage.months]
    assert labels == sorted(labels, reverse=True) and len(labels) == min(months, len(history))
