"""WHMCS billing-cycle values accepted by AddOrder (``billingcycle[]``) as data."""

from types import MappingProxyType

from domain.common.billing_cycle import BillingCycle

ADD_ORDER_BILLING_CYCLES = MappingProxyType(
    {
        BillingCycle.ONE_TIME: "onetime",
        BillingCycle.MONTHLY: "monthly",
        BillingCycle.QUARTERLY: "quarterly",
        BillingCycle.SEMI_ANNUALLY: "semiannually",
        BillingCycle.ANNUALLY: "annually",
        BillingCycle.BIENNIALLY: "biennially",
        BillingCycle.TRIENNIALLY: "triennially",
    }
)

NOT_PENDING_MESSAGE = "Order ID not found or Status not Pending"
"""AcceptOrder's error for a repeat (already accepted) or a missing order."""
