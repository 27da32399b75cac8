"""HTTP shapes of billing."""

from __future__ import annotations

from enum import StrEnum

from domain.billing.contract import Invoice, InvoiceDetail, PaymentMethod
from domain.common.dates import UtcDatetime
from domain.common.model import ContractModel
from domain.common.page import Page


class InvoiceStatusFilter(StrEnum):
    """Invoice status to list; `unpaid` includes overdue invoices."""

    UNPAID = "unpaid"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class InvoicePage(Page[Invoice]):
    """A page of the caller's invoices, newest first."""


class PaymentSession(ContractModel):
    """A single-use link to pay an invoice in the billing system."""

    url: str
    expires_at: UtcDatetime


__all__ = [
    "Invoice",
    "InvoiceDetail",
    "InvoicePage",
    "InvoiceStatusFilter",
    "PaymentMethod",
    "PaymentSession",
]
