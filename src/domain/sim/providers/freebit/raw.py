"""Freebit payloads, following the team's sandbox proposal in reference/freebit.md.

Everything numeric is a string (MB quotas), dates are ``YYYYMMDD``, flags ``"10"``/``"20"``.
Field names are camelCase on the wire; attributes here are snake_case aliases of them.
"""

from typing import Annotated

from pydantic import BeforeValidator

from domain.common.wire.freebit import FreebitDate, FreebitFlag, FreebitModel, FreebitResponse
from domain.common.wire.lenient import IntValue, OptionalInt, OptionalText, as_list


class FreebitTalkOption(FreebitModel):
    voice_mail: FreebitFlag = False
    call_waiting: FreebitFlag = False
    call_transfer: FreebitFlag = False
    international_call: FreebitFlag = False


class FreebitQuota(FreebitModel):
    remaining_mb: IntValue = 0
    base_mb: IntValue = 0
    added_mb: IntValue = 0
    expire: FreebitDate = None


class FreebitAccountDetail(FreebitModel):
    """One of ``responseDatas[]`` of the account detail call (PA03-02 + proposal)."""

    kind: OptionalText = None
    account: OptionalText = None
    iccid: OptionalText = None
    eid: OptionalText = None
    product_number: OptionalText = None
    sim_type: OptionalText = None
    plan_code: OptionalText = None
    plan_name: OptionalText = None
    state: OptionalText = None
    contract_line: OptionalText = None
    start_date: FreebitDate = None
    # Missing on data-only lines: no voice service at all.
    talk_option: FreebitTalkOption | None = None
    quota: FreebitQuota | None = None
    next_plan_code: OptionalText = None
    next_plan_date: FreebitDate = None


class FreebitAccountDetailResponse(FreebitResponse):
    response_datas: Annotated[tuple[FreebitAccountDetail, ...], BeforeValidator(as_list)] = ()


class FreebitDailyTraffic(FreebitModel):
    date: FreebitDate
    used_mb: IntValue = 0


class FreebitTraffic(FreebitModel):
    today_mb: IntValue = 0
    in_recent_days: Annotated[tuple[FreebitDailyTraffic, ...], BeforeValidator(as_list)] = ()
    this_month_mb: IntValue = 0
    remaining_mb: IntValue = 0
    black_list: FreebitFlag = False


class FreebitTrafficResponse(FreebitResponse):
    """``getTrafficInfo`` (PA05-01): the current month and recent days of one line."""

    account: OptionalText = None
    traffic: FreebitTraffic


class FreebitMonthlyTraffic(FreebitModel):
    month: str
    used_mb: IntValue = 0
    added_mb: OptionalInt = None


class FreebitTrafficHistoryResponse(FreebitResponse):
    history: Annotated[tuple[FreebitMonthlyTraffic, ...], BeforeValidator(as_list)] = ()


class FreebitAddSpecResponse(FreebitResponse):
    """Top-up (``addSpec``, PA04-04)."""

    quota_id: OptionalText = None


class FreebitChangePlanResponse(FreebitResponse):
    reserve_id: OptionalText = None


class FreebitEsimResponse(FreebitResponse):
    activation_code: OptionalText = None
