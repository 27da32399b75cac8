"""Billing as the portal speaks it: invoices, their items and statuses, payment methods."""

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from domain.common.dates import UtcDatetime
from domain.common.model import ContractModel
from domain.common.money import Money, sum_money


class InvoiceStatus(StrEnum):
    """Where an invoice stands; `overdue` is unpaid and past its due date."""

    DRAFT = "draft"
    UNPAID = "unpaid"
    OVERDUE = "overdue"
    PAID = "paid"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    COLLECTIONS = "collections"
    PAYMENT_PENDING = "payment_pending"
    UNKNOWN = "unknown"


SETTLED_STATUSES = frozenset({InvoiceStatus.PAID, InvoiceStatus.CANCELLED, InvoiceStatus.REFUNDED})
"""Statuses with nothing left to pay."""

PAYABLE_STATUSES = frozenset({InvoiceStatus.UNPAID, InvoiceStatus.OVERDUE})
"""Statuses for which the portal offers a payment session."""


def derive_invoice_status(status: InvoiceStatus, due_on: date, today: date) -> InvoiceStatus:
    """``overdue`` is not stored anywhere: it is an unpaid invoice whose due date has passed."""
    if status is InvoiceStatus.UNPAID and due_on < today:
        return InvoiceStatus.OVERDUE
    return status


class InvoiceItem(ContractModel):
    """One line of an invoice."""

    description: str
    amount: Money


class Invoice(ContractModel):
    """An invoice of the caller (WHMCS); money as decimal strings."""

    id: str
    number: str
    status: InvoiceStatus
    issued_on: date
    due_on: date
    paid_on: date | None = None
    subtotal: Money
    tax: Money
    total: Money
    balance: Money = Field(description="Amount still to pay.")

    @property
    def is_payable(self) -> bool:
        return self.status in PAYABLE_STATUSES


class InvoiceDetail(Invoice):
    """An invoice with its line items."""

    items: tuple[InvoiceItem, ...] = ()


class PaymentMethodType(StrEnum):
    """Kind of payment method."""

    CARD = "card"
    BANK_ACCOUNT = "bank_account"
    UNKNOWN = "unknown"


class PaymentMethod(ContractModel):
    """A stored payment method; never more than the last digits of a card."""

    id: str
    type: PaymentMethodType
    description: str
    expiry: Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", examples=["2027-02"])] | None = None
    is_default: bool


class PaymentSession(ContractModel):
    """A single-use link to pay one invoice in the billing system."""

    url: str
    expires_at: UtcDatetime


class NextDue(ContractModel):
    invoice_id: str
    due_on: date
    amount: Money


class BillingSummary(ContractModel):
    """The dashboard's billing section."""

    unpaid_total: Money
    next_due: NextDue | None = None


def summarize_invoices(invoices: Iterable[Invoice], *, currency: str) -> BillingSummary:
    """What is left to pay (unpaid and overdue balances) and the earliest such invoice.

    Invoices in another currency than ``currency`` are left out rather than converted.
    """
    payable = [i for i in invoices if i.is_payable and i.balance.currency == currency]
    earliest = min(payable, key=lambda invoice: (invoice.due_on, invoice.id), default=None)
    return BillingSummary(
        unpaid_total=sum_money((invoice.balance for invoice in payable), currency),
        next_due=NextDue(invoice_id=earliest.id, due_on=earliest.due_on, amount=earliest.balance)
        if earliest is not None
        else None,
    )
