"""Salesforce catalog picklists (Product2.Family, PricebookEntry.Billing_Cycle__c) as data."""

from domain.catalog.contract import ProductCategory
from domain.common.billing_cycle import BillingCycle
from domain.common.status import StatusTable
from domain.common.wire.salesforce import PROVIDER

PRODUCT_FAMILIES = StatusTable(
    provider=PROVIDER,
    entity="Product2.Family",
    mapping={
        "SIM": ProductCategory.SIM,
        "Internet": ProductCategory.INTERNET,
        "VPN": ProductCategory.VPN,
        "Option": ProductCategory.OPTION,
    },
    fallback=ProductCategory.UNKNOWN,
)

# The same picklist is on PricebookEntry and OrderItem.
PRICE_BILLING_CYCLES = StatusTable(
    provider=PROVIDER,
    entity="Billing_Cycle__c",
    mapping={
        "Monthly": BillingCycle.MONTHLY,
        "Annually": BillingCycle.ANNUALLY,
        "One-time": BillingCycle.ONE_TIME,
        "One Time": BillingCycle.ONE_TIME,
    },
    fallback=BillingCycle.UNKNOWN,
)
