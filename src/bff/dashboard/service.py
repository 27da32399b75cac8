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
    NextDue,
    OrdersSummary,
    Section,
    SubscriptionsSummary,
    SupportSummary,
    Warning,
)
from bff.subscriptions.service import all_subscriptions
from domain.common.errors import DomainError
from domain.common.money import JPY, sum_money
from domain.common.page import MAX_PAGE_SIZE
from domain.subscriptions.contract import SubscriptionStatus
from domain.support.contract import CaseStatusFilter
from integrations.errors import UpstreamError

log = structlog.get_logger("bff.dashboard")

T = TypeVar("T")
RECENT_ORDERS = 5


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
    page = await state.providers.salesforce.get_cases(
        customer.salesforce_account_id, status=CaseStatusFilter.OPEN, page=1, page_size=1
    )
    return SupportSummary(open_cases=page.total)


async def _orders(state: AppState, customer: Customer) -> OrdersSummary:
    page = await state.providers.salesforce.get_orders(
        customer.salesforce_account_id, page=1, page_size=RECENT_ORDERS
    )
    return OrdersSummary(recent=list(page.items))


async def _section(
    section: Section,
    deadline_s: float,
    fetch: Callable[[], Awaitable[T]],
    warnings: list[Warning],
) -> T | None:
    try:
        return await asyncio.wait_for(fetch(), timeout=deadline_s)
    except TimeoutError:
        code = "upstream.timeout"
    except (UpstreamError, DomainError, AppError) as error:
        code = translate(error).code
    log.warning("dashboard.section_failed", section=section.value, code=code)
    warnings.append(Warning(section=section, code=code))
    return None


async def get_dashboard(state: AppState, customer: Customer) -> Dashboard:
    deadline = state.settings.dashboard.section_deadline_s
    warnings: list[Warning] = []
    billing, subscriptions, support, orders = await asyncio.gather(
        _section(Section.BILLING, deadline, lambda: _billing(state, customer), warnings),
        _section(
            Section.SUBSCRIPTIONS, deadline, lambda: _subscriptions(state, customer), warnings
        ),
        _section(Section.SUPPORT, deadline, lambda: _support(state, customer), warnings),
        _section(Section.ORDERS, deadline, lambda: _orders(state, customer), warnings),
    )
    warnings.sort(key=lambda w: list(Section).index(w.section))
    return Dashboard(
        billing=billing,
        subscriptions=subscriptions,
        support=support,
        orders=orders,
        warnings=warnings,
    )
