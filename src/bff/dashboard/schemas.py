"""HTTP shapes of the dashboard."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from domain.common.model import ContractModel
from domain.common.money import Money
from domain.orders.contract import OrderSummary


class NextDue(ContractModel):
    """The unpaid invoice due soonest."""

    invoice_id: str
    due_on: dt.date
    amount: Money


class BillingSummary(ContractModel):
    """Dashboard billing section: what is unpaid and due next."""

    unpaid_total: Money
    next_due: NextDue | None = None


class SubscriptionsSummary(ContractModel):
    """Dashboard subscriptions section: active and total counts."""

    active: int
    total: int


class SupportSummary(ContractModel):
    """Dashboard support section: how many cases are open."""

    open_cases: int


class OrdersSummary(ContractModel):
    """Dashboard orders section: the most recent orders."""

    recent: list[OrderSummary]


class DashboardSection(StrEnum):
    """A dashboard section that can fail on its own."""

    BILLING = "billing"
    SUBSCRIPTIONS = "subscriptions"
    SUPPORT = "support"
    ORDERS = "orders"


class DashboardWarning(ContractModel):
    """A dashboard section left out (`null`) and the problem code why."""

    section: DashboardSection
    code: str


class Dashboard(ContractModel):
    """Each section is `null` when its system failed or ran out of time (see `warnings`)."""

    billing: BillingSummary | None
    subscriptions: SubscriptionsSummary | None
    support: SupportSummary | None
    orders: OrdersSummary | None
    warnings: list[DashboardWarning]
