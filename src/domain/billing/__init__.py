"""Billing context: invoices, invoice items, payment methods."""

from domain.billing.contract import (
    PAYABLE_STATUSES,
    SETTLED_STATUSES,
    Invoice,
    InvoiceDetail,
    InvoiceItem,
    InvoiceStatus,
    PaymentMethod,
    PaymentMethodType,
    derive_invoice_status,
)

__all__ = [
    "PAYABLE_STATUSES",
    "SETTLED_STATUSES",
    "Invoice",
    "InvoiceDetail",
    "InvoiceItem",
    "InvoiceStatus",
    "PaymentMethod",
    "PaymentMethodType",
    "derive_invoice_status",
]
