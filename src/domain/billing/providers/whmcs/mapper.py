"""WHMCS -> billing: GetInvoices (list), GetInvoice (detail), GetPayMethods, and
CreateSsoToken (payment session; its request parameters too).

Amounts stay ``Decimal`` from the wire to the contract. ``tax`` is WHMCS's ``tax`` plus
``tax2``; ``total`` is WHMCS's (subtotal + tax - credit). ``overdue`` is derived from
the due date against the ``today`` the caller passes.
"""

import logging
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from domain.billing.contract import (
    SETTLED_STATUSES,
    Invoice,
    InvoiceDetail,
    InvoiceItem,
    PaymentMethod,
    PaymentMethodType,
    PaymentSession,
    derive_invoice_status,
)
from domain.billing.providers.whmcs.raw import (
    WhmcsInvoice,
    WhmcsInvoiceFields,
    WhmcsInvoiceList,
    WhmcsPayMethod,
    WhmcsPayMethodList,
    WhmcsSsoToken,
)
from domain.billing.providers.whmcs.statuses import INVOICE_STATUSES, PAY_METHOD_TYPES
from domain.common.errors import ProviderPayloadError
from domain.common.money import JPY, Money
from domain.common.page import Page
from domain.common.wire.validation import maps_payload, parse_payload
from domain.common.wire.whmcs import PROVIDER

logger = logging.getLogger(__name__)

SSO_TOKEN_LIFETIME = timedelta(seconds=60)
_CARD_EXPIRY = re.compile(r"^(\d{1,2})/(\d{2}|\d{4})$")


def _invoice_fields(
    raw: WhmcsInvoiceFields, *, invoice_id: str, today: date, currency: str
) -> dict[str, Any]:
    if raw.date is None:
        raise ProviderPayloadError(PROVIDER, "invoice", "date", "missing")
    issued_on = raw.date
    # An invoice without a due date is due when issued.
    due_on = raw.duedate or issued_on
    currency = raw.currencycode or currency
    status = derive_invoice_status(INVOICE_STATUSES.lookup(raw.status), due_on, today)
    total = Money.of(raw.total, currency)
    expected_total = raw.subtotal + raw.tax + raw.tax2 - raw.credit
    if expected_total != raw.total:
        logger.warning(
            "invoice total differs from subtotal + tax - credit",
            extra={"provider": PROVIDER, "invoice_id": invoice_id},
        )
    return {
        "id": invoice_id,
        "number": raw.invoicenum or invoice_id,
        "status": status,
        "issued_on": issued_on,
        "due_on": due_on,
        "paid_on": raw.datepaid,
        "subtotal": Money.of(raw.subtotal, currency),
        "tax": Money.of(raw.tax + raw.tax2, currency),
        "total": total,
        # GetInvoices has no balance: a settled invoice owes nothing, any other the total.
        "balance": Money.zero(currency) if status in SETTLED_STATUSES else total,
    }


@maps_payload(PROVIDER, "invoices")
def invoice_page_from_whmcs(
    payload: Any, *, today: date, page: int, page_size: int, currency: str = JPY
) -> Page[Invoice]:
    """Map a ``GetInvoices`` answer fetched with ``limitstart=(page-1)*page_size``."""
    raw = parse_payload(WhmcsInvoiceList, payload, provider=PROVIDER, entity="invoices")
    invoices = [
        Invoice(**_invoice_fields(row, invoice_id=row.id, today=today, currency=currency))
        for row in raw.invoices
    ]
    total = max(raw.totalresults, raw.startnumber + len(invoices))
    return Page[Invoice](items=invoices, page=page, page_size=page_size, total=total)


@maps_payload(PROVIDER, "invoice")
def invoice_from_whmcs(payload: Any, *, today: date, currency: str = JPY) -> InvoiceDetail:
    """Map a ``GetInvoice`` answer; ``currency`` is the client's (GetInvoice omits it)."""
    raw = parse_payload(WhmcsInvoice, payload, provider=PROVIDER, entity="invoice")
    fields = _invoice_fields(raw, invoice_id=raw.invoiceid, today=today, currency=currency)
    item_currency = fields["total"].currency
    if raw.balance is not None:
        fields["balance"] = Money.of(raw.balance, item_currency)
    items = tuple(
        InvoiceItem(description=item.description or "", amount=Money.of(item.amount, item_currency))
        for item in raw.items
    )
    return InvoiceDetail(**fields, items=items)


def card_expiry(expiry_date: str | None) -> str | None:
    """``"02/25"`` (display text) -> ``"2025-02"``; anything unreadable -> None."""
    if not expiry_date:
        return None
    match = _CARD_EXPIRY.match(expiry_date.strip())
    if match is None or not 1 <= int(match.group(1)) <= 12:
        return None
    year = match.group(2)
    return f"{'20' + year if len(year) == 2 else year}-{int(match.group(1)):02d}"


def _pay_method(raw: WhmcsPayMethod, *, is_default: bool) -> PaymentMethod:
    method_type = PAY_METHOD_TYPES.lookup(raw.type)
    description = raw.description or _describe(raw, method_type)
    expiry = card_expiry(raw.expiry_date) if method_type is PaymentMethodType.CARD else None
    return PaymentMethod(
        id=raw.id, type=method_type, description=description, expiry=expiry, is_default=is_default
    )


def _describe(raw: WhmcsPayMethod, method_type: PaymentMethodType) -> str:
    if method_type is PaymentMethodType.CARD and raw.card_last_four:
        return f"{raw.card_type or 'Card'} ending {raw.card_last_four}"
    return raw.bank_name or raw.gateway_name or method_type.value


@maps_payload(PROVIDER, "paymethods")
def payment_methods_from_whmcs(
    payload: Any, *, default_id: str | None = None
) -> Sequence[PaymentMethod]:
    """Map ``GetPayMethods``.

    WHMCS lists pay methods in the client's order of preference, so without an explicit
    ``default_id`` the first one is the default.
    """
    raw = parse_payload(WhmcsPayMethodList, payload, provider=PROVIDER, entity="paymethods")
    chosen = (
        default_id if default_id is not None else (raw.paymethods[0].id if raw.paymethods else None)
    )
    return tuple(_pay_method(method, is_default=method.id == chosen) for method in raw.paymethods)


def payment_session_request(*, client_id: str, invoice_id: str) -> dict[str, str]:
    """``CreateSsoToken`` parameters that land on one invoice's payment page.

    WHMCS has no ``clientarea:invoice`` destination; a custom redirect to
    ``viewinvoice.php`` is the documented way to open a single invoice.
    """
    return {
        "client_id": client_id,
        "destination": "sso:custom_redirect",
        "sso_redirect_path": f"viewinvoice.php?id={invoice_id}",
    }


@maps_payload(PROVIDER, "sso token")
def payment_session_from_whmcs(payload: Any, *, now: datetime) -> PaymentSession:
    """Map a ``CreateSsoToken`` answer; the link expires 60 s after ``now``."""
    raw = parse_payload(WhmcsSsoToken, payload, provider=PROVIDER, entity="sso token")
    return PaymentSession(url=raw.redirect_url, expires_at=now + SSO_TOKEN_LIFETIME)
