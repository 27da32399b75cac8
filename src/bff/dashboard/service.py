"""The dashboard: four sections fetched concurrently, each with its own deadline.

A section whose system fails (or does not answer within
``BFF_DASHBOARD__SECTION_DEADLINE_S``) is ``null`` and named in ``warnings`` with the code
the error would have had on its own endpoint (``upstream.unavailable``,
``upstream.timeout``, ``upstream.error``); the others still come back with 200.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog

from bff.auth.dependencies import Customer
from bff.billing.schemas import InvoiceStatusFilter
from bff.billing.service import list_invoices
from bff.core.errors import AppError, translate
from bff.core.state import AppState
from bff.dashboard.schemas import (
    BillingSummary,
    Dashboard,
    DashboardSection,
    DashboardWarning,
    NextDue,
    OrdersSummary,
    SubscriptionsSummary,
    SupportSummary,
)
from bff.subscriptions.service import all_subscriptions
from domain.common.errors import DomainError
from domain.common.money import JPY, sum_money
from domain.common.page import MAX_PAGE_SIZE
from domain.orders.providers.salesforce.mapper import order_summaries_from_salesforce
from domain.subscriptions.contract import SubscriptionStatus
from integrations.errors import UpstreamError
from integrations.salesforce import soql

log = structlog.get_logger("bff.dashboard")

T = TypeVar("T")
RECENT_ORDERS = 5
_ORDER_FIELDS = (
    "Id, OrderNumber, Status, StatusCode, AccountId, EffectiveDate, TotalAmount, "
    "CurrencyIsoCode, Description, CreatedDate, LastModifiedDate, Failure_Reason__c, "
    "WHMCS_Order_Id__c, Subscription_Ids__c, Provisioned_At__c"
)


async def _billing(state: AppState, customer: Customer) -> BillingSummary:
    unpaid = await list_invoices(
        state, customer, status=InvoiceStatusFilter.UNPAID, page=1, page_size=MAX_PAGE_SIZE
    )
    currency = unpaid.items[0].balance.currency if unpaid.items else JPY
    total = sum_money((invoice.balance for invoice in unpaid.items), currency)
    first = min(unpaid.items, key=lambda invoice: (invoice.due_on, invoice.id), default=None)
    next_due = (
        NextDue(invoice_id=first.id, due_on=first.due_on, amount=first.balance) if first else None
    )
    return BillingSummary(unpaid_total=total, next_due=next_due)


async def _subscriptions(state: AppState, customer: Customer) -> SubscriptionsSummary:
    services = await all_subscriptions(state, customer.whmcs_client_id)
    active = sum(1 for s in services if s.status is SubscriptionStatus.ACTIVE)
    return SubscriptionsSummary(active=active, total=len(services))


async def _support(state: AppState, customer: Customer) -> SupportSummary:
    # One COUNT() rather than a page of cases: the dashboard only shows the number.
    open_cases = await state.providers.salesforce.count(
        soql(
            "SELECT COUNT() FROM Case WHERE AccountId = :account AND IsClosed = false",
            account=customer.salesforce_account_id,
        )
    )
    return SupportSummary(open_cases=open_cases)


async def _orders(state: AppState, customer: Customer) -> OrdersSummary:
    # One query without the COUNT() a paged list needs, so the section costs one round trip.
    answer = await state.providers.salesforce.query(
        soql(
            "SELECT " + _ORDER_FIELDS + " FROM Order WHERE AccountId = :account "  # noqa: S608 - constant template
            "ORDER BY CreatedDate DESC, Id DESC LIMIT :limit",
            account=customer.salesforce_account_id,
            limit=RECENT_ORDERS,
        )
    )
    recent = order_summaries_from_salesforce(answer, currency=JPY)
    return OrdersSummary(recent=list(recent))


async def _section(
    section: DashboardSection,
    deadline_s: float,
    fetch: Callable[[], Awaitable[T]],
    warnings: list[DashboardWarning],
) -> T | None:
    try:
        return await asyncio.wait_for(fetch(), timeout=deadline_s)
    except TimeoutError:
        code = "upstream.timeout"
    except (UpstreamError, DomainError, AppError) as error:
        code = translate(error).code
    log.warning("dashboard.section_failed", section=section.value, code=code)
    warnings.append(DashboardWarning(section=section, code=code))
    return None


async def get_dashboard(state: AppState, customer: Customer) -> Dashboard:
    deadline = state.settings.dashboard.section_deadline_s
    warnings: list[DashboardWarning] = []
    billing, subscriptions, support, orders = await asyncio.gather(
        _section(DashboardSection.BILLING, deadline, lambda: _billing(state, customer), warnings),
        _section(
            DashboardSection.SUBSCRIPTIONS,
            deadline,
            lambda: _subscriptions(state, customer),
            warnings,
        ),
        _section(DashboardSection.SUPPORT, deadline, lambda: _support(state, customer), warnings),
        _section(DashboardSection.ORDERS, deadline, lambda: _orders(state, customer), warnings),
    )
    warnings.sort(key=lambda w: list(DashboardSection).index(w.section))
    return Dashboard(
        billing=billing,
        subscriptions=subscriptions,
        support=support,
        orders=orders,
        warnings=warnings,
    )
