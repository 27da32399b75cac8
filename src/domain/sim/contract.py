"""SIM lines: details, data usage, top-ups, plan changes, eSIM reissue."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from domain.common.model import ContractModel
from domain.common.money import Money

MSISDN_PATTERN = r"^0\d{10}$"
ICCID_PATTERN = r"^\d{18,21}F?$"

Msisdn = Annotated[str, Field(pattern=MSISDN_PATTERN, examples=["09012345678"])]
"""A Japanese mobile number, 11 digits without hyphens (Freebit's ``account``)."""

Iccid = Annotated[str, Field(pattern=ICCID_PATTERN, examples=["8981100000000000001"])]

Megabytes = Annotated[int, Field(ge=0)]

MAX_TOP_UP_MB = 512_000
"""Freebit's upper bound for one quota addition (PA04-04)."""

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])]


class SimType(StrEnum):
    PHYSICAL = "physical"
    ESIM = "esim"
    UNKNOWN = "unknown"


class SimStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCEL_SCHEDULED = "cancel_scheduled"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class PlanChange(ContractModel):
    plan_code: str
    effective_on: date


class SimDetails(ContractModel):
    iccid: str
    msisdn: Msisdn
    sim_type: SimType
    status: SimStatus
    plan_code: str
    plan_name: str
    data_remaining_mb: Megabytes
    data_cap_mb: Megabytes
    voice_enabled: bool
    pending_plan_change: PlanChange | None = None


class DailyUsage(ContractModel):
    date: date
    used_mb: Megabytes


class MonthlyUsage(ContractModel):
    month: Month
    used_mb: Megabytes
    days: tuple[DailyUsage, ...] = ()


class SimUsage(ContractModel):
    """Usage per month, newest month first; days within a month oldest first."""

    months: tuple[MonthlyUsage, ...]


class CurrentTraffic(ContractModel):
    today_mb: Megabytes
    this_month_mb: Megabytes
    remaining_mb: Megabytes
    throttled: bool
    recent_days: tuple[DailyUsage, ...] = ()


class TopUpStatus(StrEnum):
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    FAILED = "failed"
    UNKNOWN = "unknown"


class TopUpRequest(ContractModel):
    quota_mb: Annotated[int, Field(ge=1, le=MAX_TOP_UP_MB)]


class TopUp(ContractModel):
    id: str
    quota_mb: Megabytes
    price: Money
    status: TopUpStatus


class PlanChangeRequest(ContractModel):
    plan_code: Annotated[str, Field(min_length=1, max_length=40)]


class EsimReissue(ContractModel):
    activation_code: str | None = None
