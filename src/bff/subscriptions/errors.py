from __future__ import annotations

from bff.core.errors import NotFound


class SubscriptionNotFound(NotFound):
    code = "subscriptions.not_found"
    default_detail = "No such subscription."
