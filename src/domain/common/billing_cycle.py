"""How often something is charged; shared by catalog prices, orders and subscriptions."""

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema


class BillingCycle(StrEnum):
    """How often a price is charged."""

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


def _orderable(cycle: BillingCycle) -> BillingCycle:
    if cycle not in ORDERABLE_CYCLES:
        raise ValueError("billing cycle must be monthly, annually or one_time")
    return cycle


OrderableCycle = Annotated[
    BillingCycle,
    AfterValidator(_orderable),
    WithJsonSchema({"type": "string", "enum": ["monthly", "annually", "one_time"]}),
]
"""A billing cycle a customer can choose when ordering (and a catalog price can have)."""
