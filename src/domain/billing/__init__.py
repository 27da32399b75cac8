"""Billing context: invoices, invoice items, payment methods."""

from domain.billing.contract import (
    PAYABLE_STATUSES,
    SETTLED_STATUSES,
    BillingSummary,
    Invoice,
    InvoiceDetail,
    InvoiceItem,
    InvoiceStatus,
    NextDue,
    PaymentMethod,
    PaymentMethodType,
    PaymentSession,
    derive_invoice_status,
    summarize_invoices,
)

__all__ = [
    "PAYABLE_STATUSES",
    "SETTLED_STATUSES",
    "BillingSummary",
    "Invoice",
    "InvoiceDetail",
    "InvoiceItem",
    "InvoiceStatus",
    "NextDue",
    "PaymentMethod",
    "PaymentMethodType",
    "PaymentSession",
    "derive_invoice_status",
    "summarize_invoices",
]
