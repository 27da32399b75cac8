"""Subscriptions (the customer's services) and the link from a service to its SIM."""

from datetime import date
from enum import StrEnum

from pydantic import Field

from domain.catalog.contract import ProductCategory
from domain.common.billing_cycle import BillingCycle
from domain.common.model import ContractModel
from domain.common.money import Money
from domain.sim.contract import Iccid, Msisdn


class SubscriptionStatus(StrEnum):
    """State of a subscription."""

    ACTIVE = "active"
    PENDING = "pending"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    TERMINATED = "terminated"
    UNKNOWN = "unknown"


class Subscription(ContractModel):
    """A service of the caller (WHMCS product): SIM line, internet, VPN or option."""

    id: str
    product_name: str
    category: ProductCategory
    status: SubscriptionStatus
    billing_cycle: BillingCycle
    recurring_amount: Money
    registered_on: date
    next_due_on: date | None = None
    identifier: str | None = Field(
        default=None, description="What the service is known by: the MSISDN of a SIM, a domain."
    )


class SimLink(ContractModel):
    """Which SIM line a billing service is; stored on the WHMCS service at provisioning."""

    msisdn: Msisdn
    iccid: Iccid | None = None
