"""WHMCS billing vocabularies (reference/whmcs.md "Status vocabularies") as data."""

from domain.billing.contract import InvoiceStatus, PaymentMethodType
from domain.common.status import StatusTable
from domain.common.wire.whmcs import PROVIDER

INVOICE_STATUSES = StatusTable(
    provider=PROVIDER,
    entity="invoice",
    mapping={
        "Draft": InvoiceStatus.DRAFT,
        "Unpaid": InvoiceStatus.UNPAID,
        # Only a GetInvoices filter value, but harmless to understand if it ever comes back.
        "Overdue": InvoiceStatus.OVERDUE,
        "Paid": InvoiceStatus.PAID,
        "Cancelled": InvoiceStatus.CANCELLED,
        "Refunded": InvoiceStatus.REFUNDED,
        "Collections": InvoiceStatus.COLLECTIONS,
        "Payment Pending": InvoiceStatus.PAYMENT_PENDING,
    },
    fallback=InvoiceStatus.UNKNOWN,
)

INVOICE_STATUS_FILTERS: dict[InvoiceStatus, str] = {
    InvoiceStatus.UNPAID: "Unpaid",
    InvoiceStatus.OVERDUE: "Overdue",
    InvoiceStatus.PAID: "Paid",
    InvoiceStatus.CANCELLED: "Cancelled",
    InvoiceStatus.REFUNDED: "Refunded",
}
"""The ``status`` parameter of GetInvoices for each filter the API offers.

WHMCS's ``Unpaid`` filter also returns overdue invoices; the caller decides whether to
drop them.
"""

PAY_METHOD_TYPES = StatusTable(
    provider=PROVIDER,
    entity="paymethod",
    mapping={
        "CreditCard": PaymentMethodType.CARD,
        "RemoteCreditCard": PaymentMethodType.CARD,
        "BankAccount": PaymentMethodType.BANK_ACCOUNT,
        "RemoteBankAccount": PaymentMethodType.BANK_ACCOUNT,
    },
    fallback=PaymentMethodType.UNKNOWN,
)
