"""WHMCS order vocabularies: AddOrder billing cycles (``billingcycle[]``), order statuses."""

from types import MappingProxyType

from domain.common.billing_cycle import BillingCycle
from domain.common.status import StatusTable
from domain.common.wire.whmcs import PROVIDER
from domain.orders.contract import BillingOrderStatus

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

ORDER_STATUSES = StatusTable(
    provider=PROVIDER,
    entity="order",
    mapping={
        "Pending": BillingOrderStatus.PENDING,
        "Active": BillingOrderStatus.ACTIVE,
        "Fraud": BillingOrderStatus.FRAUD,
        "Cancelled": BillingOrderStatus.CANCELLED,
    },
    # WHMCS lets admins add custom order statuses; those land here.
    fallback=BillingOrderStatus.UNKNOWN,
)
