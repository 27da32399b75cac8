"""HTTP shapes of subscriptions."""

from __future__ import annotations

from enum import StrEnum

from domain.common.page import Page
from domain.subscriptions.contract import Subscription


class SubscriptionStatusFilter(StrEnum):
    """Subscription status to list."""

    ACTIVE = "active"
    PENDING = "pending"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    TERMINATED = "terminated"


class SubscriptionPage(Page[Subscription]):
    """A page of the caller's subscriptions, in WHMCS service order."""


__all__ = ["Subscription", "SubscriptionPage", "SubscriptionStatusFilter"]
