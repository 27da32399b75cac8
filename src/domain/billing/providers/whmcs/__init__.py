"""WHMCS billing payloads and their mappers."""

from domain.billing.providers.whmcs.mapper import (
    card_expiry,
    invoice_from_whmcs,
    invoice_page_from_whmcs,
    payment_methods_from_whmcs,
    payment_session_from_whmcs,
    payment_session_request,
)
from domain.billing.providers.whmcs.raw import (
    WhmcsInvoice,
    WhmcsInvoiceItem,
    WhmcsInvoiceList,
    WhmcsInvoiceRow,
    WhmcsPayMethod,
    WhmcsPayMethodList,
    WhmcsSsoToken,
    WhmcsTransaction,
)
from domain.billing.providers.whmcs.statuses import (
    INVOICE_STATUS_FILTERS,
    INVOICE_STATUSES,
    PAY_METHOD_TYPES,
)

__all__ = [
    "INVOICE_STATUSES",
    "INVOICE_STATUS_FILTERS",
    "PAY_METHOD_TYPES",
    "WhmcsInvoice",
    "WhmcsInvoiceItem",
    "WhmcsInvoiceList",
    "WhmcsInvoiceRow",
    "WhmcsPayMethod",
    "WhmcsPayMethodList",
    "WhmcsSsoToken",
    "WhmcsTransaction",
    "card_expiry",
    "invoice_from_whmcs",
    "invoice_page_from_whmcs",
    "payment_methods_from_whmcs",
    "payment_session_from_whmcs",
    "payment_session_request",
]
