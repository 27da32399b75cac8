"""Billing reads and payment sessions, always through the caller's WHMCS client id.

Invoice lists and details are cached per customer for ``BFF_CACHE__CUSTOMER_TTL_S``
(30 s): the dashboard and the invoice pages ask for the same data in quick succession.
WHMCS webhooks (InvoicePaid, InvoiceCreated, ...) drop the customer's billing cache.
Payment sessions and payment methods are never cached.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import TypeAdapter

from bff.auth.dependencies import Customer
from bff.billing.errors import InvoiceNotFound, InvoiceNotPayable
from bff.billing.schemas import InvoicePage, InvoiceStatusFilter, PaymentSession
from bff.core.cache import CustomerCache
from bff.core.state import AppState
from domain.billing.contract import InvoiceDetail, InvoiceStatus, PaymentMethod
from integrations.whmcs import WhmcsNotFound

SCOPE = "billing"
_PAGE = TypeAdapter(InvoicePage)
_DETAIL = TypeAdapter(InvoiceDetail)


def customer_cache(state: AppState) -> CustomerCache:
    return CustomerCache(state.redis, ttl_s=state.settings.cache.customer_ttl_s)


async def list_invoices(
    state: AppState,
    customer: Customer,
    *,
    status: InvoiceStatusFilter | None,
    page: int,
    page_size: int,
) -> InvoicePage:
    """One page of the caller's invoices, for the dashboard (the route sends the bytes)."""
    rendered = await rendered_invoices(
        state, customer, status=status, page=page, page_size=page_size
    )
    return _PAGE.validate_json(rendered)


async def rendered_invoices(
    state: AppState,
    customer: Customer,
    *,
    status: InvoiceStatusFilter | None,
    page: int,
    page_size: int,
) -> bytes:
    """One page of the caller's invoices as the JSON the route answers with, cached as is."""
    client_id = customer.whmcs_client_id
    wanted = InvoiceStatus(status.value) if status is not None else None

    async def load() -> InvoicePage:
        whmcs = state.providers.whmcs
        found = await whmcs.get_invoices(client_id, status=wanted, page=page, page_size=page_size)
        if not found.items and page > 1:
            # Past the end the WHMCS mapper reports the offset as the total; ask for it.
            total = (await whmcs.get_invoices(client_id, status=wanted, page=1, page_size=1)).total
            found = found.model_copy(update={"total": total})
        return InvoicePage(
            items=found.items, page=found.page, page_size=found.page_size, total=found.total
        )

    field = f"invoices:{status.value if status else 'all'}:{page}:{page_size}"
    return await customer_cache(state).get_or_load_json(SCOPE, client_id, field, _PAGE, load)


async def rendered_invoice(state: AppState, customer: Customer, *, invoice_id: str) -> bytes:
    """One of the caller's invoices as the JSON the route answers with."""
    if not invoice_id.isdigit():
        raise InvoiceNotFound()
    client_id = customer.whmcs_client_id

    async def load() -> InvoiceDetail:
        try:
            return await state.providers.whmcs.get_invoice(invoice_id, client_id=client_id)
        except WhmcsNotFound:
            raise InvoiceNotFound() from None

    return await customer_cache(state).get_or_load_json(
        SCOPE, client_id, f"invoice:{invoice_id}", _DETAIL, load
    )


async def create_payment_session(
    state: AppState, customer: Customer, *, invoice_id: str
) -> PaymentSession:
    """A single-use WHMCS login link that opens this invoice's payment page."""
    if not invoice_id.isdigit():
        raise InvoiceNotFound()
    client_id = customer.whmcs_client_id
    try:
        # Always fresh: paying against a cached "unpaid" could pay twice.
        invoice = await state.providers.whmcs.get_invoice(invoice_id, client_id=client_id)
    except WhmcsNotFound:
        raise InvoiceNotFound() from None
    if not invoice.is_payable:
        raise InvoiceNotPayable()
    link = await state.providers.whmcs.invoice_payment_link(client_id, invoice_id)
    return PaymentSession(url=link.url, expires_at=link.expires_at)


async def list_payment_methods(state: AppState, customer: Customer) -> Sequence[PaymentMethod]:
    return await state.providers.whmcs.get_pay_methods(customer.whmcs_client_id)


async def invalidate(state: AppState, client_id: str) -> None:
    await customer_cache(state).invalidate(SCOPE, client_id)
