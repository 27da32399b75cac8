"""How often something is charged; shared by catalog prices, orders and subscriptions."""

from enum import StrEnum


class BillingCycle(StrEnum):
    ONE_TIME = "one_time"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMI_ANNUALLY = "semi_annually"
    ANNUALLY = "annually"
    BIENNIALLY = "biennially"
    TRIENNIALLY = "triennially"
    FREE = "free"
    UNKNOWN = "unknown"


ORDERABLE_CYCLES = frozenset({BillingCycle.ONE_TIME, BillingCycle.MONTHLY, BillingCycle.ANNUALLY})
"""The cycles the portal sells (API-CONTRACT: monthly, annually, one_time)."""
