"""Subscriptions context: the customer's services, their status and billing cycle."""

from domain.subscriptions.contract import SimLink, Subscription, SubscriptionStatus

__all__ = ["SimLink", "Subscription", "SubscriptionStatus"]
