"""Every documented provider value has a deliberate mapping (reference/*.md vocabularies)."""

from enum import StrEnum
from typing import Any

import pytest

from domain.billing import InvoiceStatus, PaymentMethodType
from domain.billing.providers.whmcs import (
    INVOICE_STATUS_FILTERS,
    INVOICE_STATUSES,
    PAY_METHOD_TYPES,
)
from domain.catalog import ProductCategory
from domain.catalog.providers.salesforce import PRICE_BILLING_CYCLES, PRODUCT_FAMILIES
from domain.common import BillingCycle, StatusTable
from domain.customer import ClientStatus
from domain.customer.providers.whmcs import CLIENT_STATUSES
from domain.orders import BillingOrderStatus, OrderStatus
from domain.orders.providers.salesforce import ORDER_STATUSES
from domain.orders.providers.whmcs import ADD_ORDER_BILLING_CYCLES
from domain.orders.providers.whmcs import ORDER_STATUSES as WHMCS_ORDER_STATUSES
from domain.sim import SimStatus, SimType
from domain.sim.providers.freebit import LINE_STATES, SIM_TYPES
from domain.subscriptions import SubscriptionStatus
from domain.subscriptions.providers.whmcs import (
    PRODUCT_GROUP_CATEGORIES,
    SERVICE_BILLING_CYCLES,
    SERVICE_STATUSES,
)
from domain.support import CaseCategory, CasePriority, CaseStatus
from domain.support.providers.salesforce import CASE_CATEGORIES, CASE_PRIORITIES, CASE_STATUSES

DOCUMENTED: list[tuple[str, StatusTable[Any], dict[str, StrEnum]]] = [
    (
        "whmcs invoice status",
        INVOICE_STATUSES,
        {
            "Draft": InvoiceStatus.DRAFT,
            "Unpaid": InvoiceStatus.UNPAID,
            "Paid": InvoiceStatus.PAID,
            "Cancelled": InvoiceStatus.CANCELLED,
            "Refunded": InvoiceStatus.REFUNDED,
            "Collections": InvoiceStatus.COLLECTIONS,
            "Payment Pending": InvoiceStatus.PAYMENT_PENDING,
            "Overdue": InvoiceStatus.OVERDUE,
        },
    ),
    (
        "whmcs service status",
        SERVICE_STATUSES,
        {
            "Pending": SubscriptionStatus.PENDING,
            "Active": SubscriptionStatus.ACTIVE,
            "Suspended": SubscriptionStatus.SUSPENDED,
            "Terminated": SubscriptionStatus.TERMINATED,
            "Cancelled": SubscriptionStatus.CANCELLED,
            "Fraud": SubscriptionStatus.CANCELLED,
            "Completed": SubscriptionStatus.TERMINATED,
        },
    ),
    (
        "whmcs client status",
        CLIENT_STATUSES,
        {
            "Active": ClientStatus.ACTIVE,
            "Inactive": ClientStatus.INACTIVE,
            "Closed": ClientStatus.CLOSED,
        },
    ),
    (
        "whmcs service billing cycle (out)",
        SERVICE_BILLING_CYCLES,
        {
            "Free Account": BillingCycle.FREE,
            "One Time": BillingCycle.ONE_TIME,
            "Monthly": BillingCycle.MONTHLY,
            "Quarterly": BillingCycle.QUARTERLY,
            "Semi-Annually": BillingCycle.SEMI_ANNUALLY,
            "Annually": BillingCycle.ANNUALLY,
            "Biennially": BillingCycle.BIENNIALLY,
            "Triennially": BillingCycle.TRIENNIALLY,
        },
    ),
    (
        "whmcs pay method type",
        PAY_METHOD_TYPES,
        {
            "CreditCard": PaymentMethodType.CARD,
            "RemoteCreditCard": PaymentMethodType.CARD,
            "BankAccount": PaymentMethodType.BANK_ACCOUNT,
            "RemoteBankAccount": PaymentMethodType.BANK_ACCOUNT,
        },
    ),
    (
        "whmcs product group (ours)",
        PRODUCT_GROUP_CATEGORIES,
        {
            "SIM": ProductCategory.SIM,
            "Internet": ProductCategory.INTERNET,
            "VPN": ProductCategory.VPN,
            "Options": ProductCategory.OPTION,
        },
    ),
    (
        "whmcs order status",
        WHMCS_ORDER_STATUSES,
        {
            "Pending": BillingOrderStatus.PENDING,
            "Active": BillingOrderStatus.ACTIVE,
            "Fraud": BillingOrderStatus.FRAUD,
            "Cancelled": BillingOrderStatus.CANCELLED,
        },
    ),
    (
        "salesforce Order.Status",
        ORDER_STATUSES,
        {
            "Draft": OrderStatus.DRAFT,
            "Approved": OrderStatus.APPROVED,
            "Provisioning": OrderStatus.PROVISIONING,
            "Activated": OrderStatus.ACTIVE,
            "Failed": OrderStatus.FAILED,
            "Cancelled": OrderStatus.CANCELLED,
        },
    ),
    (
        "salesforce Case.Status",
        CASE_STATUSES,
        {
            "New": CaseStatus.NEW,
            "Working": CaseStatus.IN_PROGRESS,
            "Escalated": CaseStatus.ESCALATED,
            "Closed": CaseStatus.CLOSED,
        },
    ),
    (
        "salesforce Case.Priority",
        CASE_PRIORITIES,
        {"High": CasePriority.HIGH, "Medium": CasePriority.MEDIUM, "Low": CasePriority.LOW},
    ),
    (
        "salesforce Case.Type (ours)",
        CASE_CATEGORIES,
        {
            "Billing": CaseCategory.BILLING,
            "Technical": CaseCategory.TECHNICAL,
            "SIM": CaseCategory.SIM,
            "Order": CaseCategory.ORDER,
            "Account": CaseCategory.ACCOUNT,
            "Other": CaseCategory.OTHER,
        },
    ),
    (
        "salesforce Product2.Family (ours)",
        PRODUCT_FAMILIES,
        {
            "SIM": ProductCategory.SIM,
            "Internet": ProductCategory.INTERNET,
            "VPN": ProductCategory.VPN,
            "Option": ProductCategory.OPTION,
        },
    ),
    (
        "salesforce Billing_Cycle__c (ours)",
        PRICE_BILLING_CYCLES,
        {
            "Monthly": BillingCycle.MONTHLY,
            "Annually": BillingCycle.ANNUALLY,
            "One-time": BillingCycle.ONE_TIME,
        },
    ),
    (
        "freebit line state (proposal)",
        LINE_STATES,
        {
            "10": SimStatus.ACTIVE,
            "20": SimStatus.SUSPENDED,
            "30": SimStatus.CANCEL_SCHEDULED,
            "40": SimStatus.CANCELLED,
        },
    ),
    (
        "freebit simType (proposal)",
        SIM_TYPES,
        {"physical": SimType.PHYSICAL, "esim": SimType.ESIM},
    ),
]


@pytest.mark.parametrize(("name", "table", "expected"), DOCUMENTED, ids=[d[0] for d in DOCUMENTED])
def test_every_documented_value_maps_as_intended(
    name: str, table: StatusTable[Any], expected: dict[str, StrEnum]
) -> None:
    for provider_value, domain_value in expected.items():
        assert table.lookup(provider_value) == domain_value, provider_value
        assert table.lookup(provider_value.upper()) == domain_value, provider_value


@pytest.mark.parametrize(("name", "table", "expected"), DOCUMENTED, ids=[d[0] for d in DOCUMENTED])
def test_an_undocumented_value_falls_back(
    name: str, table: StatusTable[Any], expected: dict[str, StrEnum]
) -> None:
    assert table.lookup("Something New In The Next Release") == table.fallback
    assert table.fallback not in expected.values() or name.startswith("salesforce Case.Type")


def test_whmcs_add_order_billing_cycles_are_the_documented_input_values() -> None:
    assert set(ADD_ORDER_BILLING_CYCLES.values()) == {
        "onetime",
        "monthly",
        "quarterly",
        "semiannually",
        "annually",
        "biennially",
        "triennially",
    }


def test_invoice_filters_cover_the_contract_filter_values() -> None:
    assert {s.value for s in INVOICE_STATUS_FILTERS} == {
        "unpaid",
        "paid",
        "overdue",
        "cancelled",
        "refunded",
    }
