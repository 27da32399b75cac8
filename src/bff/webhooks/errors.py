from __future__ import annotations

from bff.core.errors import AppError


class WebhookUnauthorized(AppError):
    """Bad signature, stale or missing timestamp, or a replay: all look the same outside."""

    status = 401
    code = "webhook.unauthorized"
    title = "Unauthorized"
    default_detail = "The webhook signature, timestamp or event id is not acceptable."
