"""Orders through the caller's Salesforce account, with the worker's provisioning state.

Placing an order requires an ``Idempotency-Key``: a retried POST returns the first order
instead of creating a second Salesforce Order (concurrent duplicates included).
"""

from __future__ import annotations

import datetime as dt
import re

from bff.auth.dependencies import Customer
from bff.catalog.service import catalog_entries
from bff.core.state import AppState
from bff.idempotency.service import StoredResponse, fingerprint, run_once
from bff.orders.errors import OrderNotFound
from bff.orders.schemas import OrderPage
from bff.orders.timeline import with_provisioning
from bff.provisioning.store import RunStore
from domain.common.dates import JST
from domain.common.page import page_offset
from domain.orders.contract import Order, OrderRequest
from domain.orders.pricing import price_order
from integrations.salesforce import SalesforceNotFound

CREATE_OPERATION = "orders.create"
MAX_SOQL_OFFSET = 2000
_SALESFORCE_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


def _japan_today() -> dt.date:
    return dt.datetime.now(JST).date()


async def list_orders(
    state: AppState, customer: Customer, *, page: int, page_size: int
) -> OrderPage:
    salesforce = state.providers.salesforce
    account = customer.salesforce_account_id
    if page_offset(page, page_size) > MAX_SOQL_OFFSET:
        # SOQL refuses OFFSET > 2000: such a page is past any real customer's orders.
        total = (await salesforce.get_orders(account, page=1, page_size=1)).total
        return OrderPage(items=[], page=page, page_size=page_size, total=total)
    found = await salesforce.get_orders(account, page=page, page_size=page_size)
    return OrderPage(
        items=found.items, page=found.page, page_size=found.page_size, total=found.total
    )


async def get_order(state: AppState, customer: Customer, *, order_id: str) -> Order:
    if not _SALESFORCE_ID.match(order_id):
        raise OrderNotFound()
    try:
        order = await state.providers.salesforce.get_order(customer.salesforce_account_id, order_id)
    except SalesforceNotFound:
        raise OrderNotFound() from None
    run = await RunStore(state.session_factory).get(order.id)
    return with_provisioning(order, run)


async def create_order(
    state: AppState, customer: Customer, *, request: OrderRequest, idempotency_key: str | None
) -> StoredResponse:
    async def execute() -> StoredResponse:
        priced = price_order(request, await catalog_entries(state))
        order_id = await state.providers.salesforce.create_order(
            priced, account_id=customer.salesforce_account_id, effective_date=_japan_today()
        )
        order = await get_order(state, customer, order_id=order_id)
        return StoredResponse.of(201, order, headers={"Location": f"/api/orders/{order_id}"})

    return await run_once(
        state.session_factory,
        state.settings.idempotency,
        user_id=customer.user_id,
        operation=CREATE_OPERATION,
        key=idempotency_key,
        required=True,
        request_fingerprint=fingerprint(request),
        execute=execute,
    )
