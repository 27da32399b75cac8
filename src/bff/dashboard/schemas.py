"""HTTP shapes of the dashboard."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from domain.common.model import ContractModel
from domain.common.money import Money
from domain.orders.contract import OrderSummary


class NextDue(ContractModel):
    invoice_id: str
    due_on: dt.date
    amount: Money


class BillingSummary(ContractModel):
    unpaid_total: Money
    next_due: NextDue | None = None


class SubscriptionsSummary(ContractModel):
    active: int
    total: int


class SupportSummary(ContractModel):
    open_cases: int


class OrdersSummary(ContractModel):
    recent: list[OrderSummary]


class DashboardSection(StrEnum):
    BILLING = "billing"
    SUBSCRIPTIONS = "subscriptions"
    SUPPORT = "support"
    ORDERS = "orders"


class DashboardWarning(ContractModel):
    section: DashboardSection
    code: str


class Dashboard(ContractModel):
    """Each section is `null` when its system failed or ran out of time (see `warnings`)."""

    billing: BillingSummary | None
    subscriptions: SubscriptionsSummary | None
    support: SupportSummary | None
    orders: OrdersSummary | None
    warnings: list[DashboardWarning]
