"""sim -> Freebit: the ``json`` bodies of each call (team proposal), without ``authKey``.

The client adds ``authKey`` and serialises the body into the ``json`` form field.
"""

from datetime import date
from typing import Any

from domain.common.dates import first_day_of_next_month, format_yyyymmdd
from domain.common.errors import FieldError, ValidationFailedError
from domain.sim.contract import MAX_TOP_UP_MB
from domain.sim.providers.freebit.statuses import RESUME_STATE, SUSPEND_STATE

LINE_KIND = "MVNO"
ESIM_REISSUE = "R"


def account_detail_request(msisdn: str) -> dict[str, Any]:
    return {"version": "2", "requestDatas": [{"kind": LINE_KIND, "account": msisdn}]}


def traffic_request(msisdn: str) -> dict[str, Any]:
    return {"account": msisdn}


def traffic_history_request(msisdn: str, *, from_month: date, to_month: date) -> dict[str, Any]:
    return {
        "account": msisdn,
        "fromMonth": from_month.strftime("%Y%m"),
        "toMonth": to_month.strftime("%Y%m"),
    }


def top_up_request(msisdn: str, *, quota_mb: int, quota_code: str, expire: date) -> dict[str, Any]:
    if not 1 <= quota_mb <= MAX_TOP_UP_MB:
        raise ValidationFailedError([FieldError("quotaMb", f"must be 1 to {MAX_TOP_UP_MB}")])
    return {
        "kind": LINE_KIND,
        "account": msisdn,
        "quota": str(quota_mb),
        "quotaCode": quota_code,
        "expire": format_yyyymmdd(expire),
    }


def plan_change_request(msisdn: str, *, plan_code: str, today: date) -> dict[str, Any]:
    """Plan changes take effect on the first day of next month (``runTime``)."""
    return {
        "account": msisdn,
        "planCode": plan_code,
        "runTime": format_yyyymmdd(first_day_of_next_month(today)),
    }


def state_change_request(
    msisdn: str, *, suspend: bool, reason: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"account": msisdn, "state": SUSPEND_STATE if suspend else RESUME_STATE}
    if reason:
        body["reason"] = reason
    return body


def esim_reissue_request(msisdn: str, *, eid: str, old_eid: str | None = None) -> dict[str, Any]:
    return {
        "addKind": ESIM_REISSUE,
        "account": msisdn,
        "eid": eid,
        "reissue": {"oldEid": old_eid or eid},
    }
