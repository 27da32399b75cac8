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
    """Physical SIM card or eSIM profile."""

    PHYSICAL = "physical"
    ESIM = "esim"
    UNKNOWN = "unknown"


class SimStatus(StrEnum):
    """State of a SIM line."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCEL_SCHEDULED = "cancel_scheduled"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class PlanChange(ContractModel):
    """The reserved plan change and the day it takes effect."""

    plan_code: str
    effective_on: date


class SimDetails(ContractModel):
    """A SIM line as Freebit reports it, with plan and remaining data."""

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
    """Data used on one day."""

    date: date
    used_mb: Megabytes


class MonthlyUsage(ContractModel):
    """Data used in one month, with daily detail."""

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
    """State of a top-up."""

    ACCEPTED = "accepted"
    COMPLETED = "completed"
    FAILED = "failed"
    UNKNOWN = "unknown"


class TopUpRequest(ContractModel):
    """How much data to add (one of the sizes the line's plan offers)."""

    quota_mb: Annotated[int, Field(ge=1, le=MAX_TOP_UP_MB)]


class TopUp(ContractModel):
    """An accepted data top-up and its price."""

    id: str
    quota_mb: Megabytes
    price: Money
    status: TopUpStatus


class PlanChangeRequest(ContractModel):
    """The SIM plan to change to (a catalog SIM `planCode`)."""

    plan_code: Annotated[str, Field(min_length=1, max_length=40)]


class EsimReissue(ContractModel):
    """The accepted eSIM reissue, with the activation code when Freebit returns one."""

    activation_code: str | None = None


class NewLine(ContractModel):
    """A line to open for one ordered SIM service (provisioning, not a portal request).

    ``line_key`` is deterministic per order line (Salesforce Order id + WHMCS service id),
    so a rerun after a crash finds the line it may already have opened.
    """

    line_key: Annotated[str, Field(min_length=1, max_length=64)]
    plan_code: Annotated[str, Field(min_length=1, max_length=40)]
    sim_type: SimType


class ActivatedLine(ContractModel):
    """A line Freebit accepted (activation may still be completing on its side)."""

    msisdn: Msisdn
    iccid: Iccid
    sim_type: SimType
    # eSIM only: a one-time credential to download the profile; never logged or stored.
    activation_code: str | None = Field(default=None, repr=False)
