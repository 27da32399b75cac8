"""WHMCS service vocabularies (reference/whmcs.md "Status vocabularies") as data."""

from domain.catalog.contract import ProductCategory
from domain.common.billing_cycle import BillingCycle
from domain.common.status import StatusTable
from domain.common.wire.whmcs import PROVIDER
from domain.subscriptions.contract import SubscriptionStatus

SERVICE_STATUSES = StatusTable(
    provider=PROVIDER,
    entity="service",
    mapping={
        "Pending": SubscriptionStatus.PENDING,
        "Active": SubscriptionStatus.ACTIVE,
        "Suspended": SubscriptionStatus.SUSPENDED,
        "Terminated": SubscriptionStatus.TERMINATED,
        "Cancelled": SubscriptionStatus.CANCELLED,
        # An order refused as fraud never became a service the customer can use.
        "Fraud": SubscriptionStatus.CANCELLED,
        # A one-off service that has been delivered and has ended.
        "Completed": SubscriptionStatus.TERMINATED,
    },
    fallback=SubscriptionStatus.UNKNOWN,
)

SERVICE_BILLING_CYCLES = StatusTable(
    provider=PROVIDER,
    entity="service billing cycle",
    mapping={
        "Free Account": BillingCycle.FREE,
        "Free": BillingCycle.FREE,
        "One Time": BillingCycle.ONE_TIME,
        "Monthly": BillingCycle.MONTHLY,
        "Quarterly": BillingCycle.QUARTERLY,
        "Semi-Annually": BillingCycle.SEMI_ANNUALLY,
        "Annually": BillingCycle.ANNUALLY,
        "Biennially": BillingCycle.BIENNIALLY,
        "Triennially": BillingCycle.TRIENNIALLY,
    },
    fallback=BillingCycle.UNKNOWN,
)

PRODUCT_GROUP_CATEGORIES = StatusTable(
    provider=PROVIDER,
    entity="product group",
    mapping={
        "SIM": ProductCategory.SIM,
        "Mobile": ProductCategory.SIM,
        "格安SIM": ProductCategory.SIM,
        "Internet": ProductCategory.INTERNET,
        "光回線": ProductCategory.INTERNET,
        "VPN": ProductCategory.VPN,
        "Option": ProductCategory.OPTION,
        "Options": ProductCategory.OPTION,
        "オプション": ProductCategory.OPTION,
    },
    fallback=ProductCategory.UNKNOWN,
)
"""Our WHMCS product group names (configured in WHMCS) -> catalog category."""
