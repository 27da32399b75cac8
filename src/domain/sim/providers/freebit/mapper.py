"""Freebit -> sim: account detail, traffic (current and history), and the answers of
top-up (``addSpec``), plan change (``changePlan``) and eSIM reissue.

The envelope's ``resultCode`` is checked by the client; these mappers read successes.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from domain.common.dates import month_of, yyyymm_to_month
from domain.common.errors import ProviderPayloadError
from domain.common.money import Money
from domain.common.wire.freebit import PROVIDER
from domain.common.wire.validation import maps_payload, parse_payload
from domain.sim.contract import (
    CurrentTraffic,
    DailyUsage,
    EsimReissue,
    MonthlyUsage,
    PlanChange,
    SimDetails,
    SimType,
    SimUsage,
    TopUp,
    TopUpStatus,
)
from domain.sim.msisdn import normalize_msisdn
from domain.sim.providers.freebit.raw import (
    FreebitAccountDetailResponse,
    FreebitAddSpecResponse,
    FreebitChangePlanResponse,
    FreebitDailyTraffic,
    FreebitEsimResponse,
    FreebitTrafficHistoryResponse,
    FreebitTrafficResponse,
)
from domain.sim.providers.freebit.statuses import LINE_STATES, SIM_TYPES


@maps_payload(PROVIDER, "account")
def sim_details_from_freebit(payload: Any) -> SimDetails:
    """Map the account detail answer (its first ``responseDatas`` entry)."""
    raw = parse_payload(FreebitAccountDetailResponse, payload, provider=PROVIDER, entity="account")
    if not raw.response_datas:
        raise ProviderPayloadError(PROVIDER, "account", "responseDatas", "missing")
    line = raw.response_datas[0]
    for field, value in (
        ("iccid", line.iccid),
        ("account", line.account),
        ("planCode", line.plan_code),
    ):
        if not value:
            raise ProviderPayloadError(PROVIDER, "account", f"responseDatas[0].{field}", "missing")
    # Older answers have no simType; an EID only exists on eSIMs.
    sim_type = (
        SIM_TYPES.lookup(line.sim_type)
        if line.sim_type
        else (SimType.ESIM if line.eid else SimType.PHYSICAL)
    )
    quota = line.quota
    pending = (
        PlanChange(plan_code=line.next_plan_code, effective_on=line.next_plan_date)
        if line.next_plan_code and line.next_plan_date
        else None
    )
    return SimDetails(
        iccid=line.iccid or "",
        msisdn=normalize_msisdn(line.account or "") or line.account,
        sim_type=sim_type,
        status=LINE_STATES.lookup(line.state),
        plan_code=line.plan_code or "",
        plan_name=line.plan_name or line.plan_code or "",
        data_remaining_mb=quota.remaining_mb if quota else 0,
        data_cap_mb=quota.base_mb + quota.added_mb if quota else 0,
        voice_enabled=line.talk_option is not None,
        pending_plan_change=pending,
    )


def _daily(rows: Iterable[FreebitDailyTraffic]) -> list[DailyUsage]:
    return sorted(
        (DailyUsage(date=row.date, used_mb=row.used_mb) for row in rows if row.date is not None),
        key=lambda day: day.date,
    )


@maps_payload(PROVIDER, "traffic")
def current_traffic_from_freebit(payload: Any) -> CurrentTraffic:
    """Map ``getTrafficInfo``."""
    traffic = parse_payload(
        FreebitTrafficResponse, payload, provider=PROVIDER, entity="traffic"
    ).traffic
    return CurrentTraffic(
        today_mb=traffic.today_mb,
        this_month_mb=traffic.this_month_mb,
        remaining_mb=traffic.remaining_mb,
        throttled=traffic.black_list,
        recent_days=tuple(_daily(traffic.in_recent_days)),
    )


@maps_payload(PROVIDER, "trafficHistory")
def sim_usage_from_freebit(
    history_payload: Any, *, current: CurrentTraffic | None = None, today: date, months: int
) -> SimUsage:
    """Combine ``getTrafficHistory`` (past months) with the current traffic (this month).

    The current month's total comes from ``current`` when given (history may lag); its
    recent days are attached to the months they fall in. Keeps the newest ``months``.
    """
    history = parse_payload(
        FreebitTrafficHistoryResponse, history_payload, provider=PROVIDER, entity="trafficHistory"
    ).history
    totals: dict[str, int] = {}
    for index, row in enumerate(history):
        try:
            totals[yyyymm_to_month(row.month)] = row.used_mb
        except ValueError:
            raise ProviderPayloadError(
                PROVIDER, "trafficHistory", f"history[{index}].month"
            ) from None
    days: dict[str, list[DailyUsage]] = defaultdict(list)
    if current is not None:
        totals[month_of(today)] = current.this_month_mb
        for day in current.recent_days:
            days[month_of(day.date)].append(day)
            totals.setdefault(month_of(day.date), 0)
    newest_first = sorted(totals, reverse=True)[:months]
    return SimUsage(
        months=tuple(
            MonthlyUsage(month=month, used_mb=totals[month], days=tuple(days[month]))
            for month in newest_first
        )
    )


@maps_payload(PROVIDER, "addSpec")
def top_up_from_freebit(payload: Any, *, quota_mb: int, price: Money) -> TopUp:
    """Map an ``addSpec`` answer; Freebit accepts now and applies the quota shortly after."""
    raw = parse_payload(FreebitAddSpecResponse, payload, provider=PROVIDER, entity="addSpec")
    if not raw.quota_id:
        raise ProviderPayloadError(PROVIDER, "addSpec", "quotaId", "missing")
    return TopUp(id=raw.quota_id, quota_mb=quota_mb, price=price, status=TopUpStatus.ACCEPTED)


@maps_payload(PROVIDER, "changePlan")
def plan_change_from_freebit(payload: Any, *, plan_code: str, effective_on: date) -> PlanChange:
    """Map a ``changePlan`` answer (only a reservation id comes back)."""
    parse_payload(FreebitChangePlanResponse, payload, provider=PROVIDER, entity="changePlan")
    return PlanChange(plan_code=plan_code, effective_on=effective_on)


@maps_payload(PROVIDER, "esim")
def esim_reissue_from_freebit(payload: Any) -> EsimReissue:
    raw = parse_payload(FreebitEsimResponse, payload, provider=PROVIDER, entity="esim")
    return EsimReissue(activation_code=raw.activation_code)
