"""Subscriptions context: the customer's services, their status and billing cycle."""

from domain.subscriptions.contract import (
    Iccid,
    Msisdn,
    SimLink,
    Subscription,
    SubscriptionStatus,
)

__all__ = ["Iccid", "Msisdn", "SimLink", "Subscription", "SubscriptionStatus"]
