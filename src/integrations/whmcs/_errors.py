"""WHMCS errors: the ``{"result":"error","message":…}`` envelope, classified.

::

    UpstreamRejected
    └── WhmcsError                      any action-level error (code: a stable slug)
        ├── WhmcsAuthError              "Authentication Failed", "Invalid IP …" (our credentials)
        ├── WhmcsNotFound               "Client Not Found", "Invoice ID Not Found", …
        ├── WhmcsInvalidLogin           ValidateLogin: "Email or Password Invalid"
        ├── WhmcsDuplicateEmail         AddClient / UpdateClient: the email is taken
        └── WhmcsOrderNotPending        AcceptOrder on an order that is not Pending

WHMCS messages can carry request data (an IP, an email), so only the slug is kept.
"""

from __future__ import annotations

from integrations.errors import UpstreamAuthFailed, UpstreamNotFound, UpstreamRejected

__all__ = [
    "WhmcsAuthError",
    "WhmcsDuplicateEmail",
    "WhmcsError",
    "WhmcsInvalidLogin",
    "WhmcsNotFound",
    "WhmcsOrderNotPending",
    "error_from_message",
]

SYSTEM = "whmcs"


class WhmcsError(UpstreamRejected):
    """WHMCS refused an action; ``code`` says why, ``action`` which one."""

    def __init__(self, action: str, code: str) -> None:
        super().__init__(SYSTEM, f"{action} failed: {code}", code=code)
        self.action = action


class WhmcsAuthError(WhmcsError, UpstreamAuthFailed):
    pass


class WhmcsNotFound(WhmcsError, UpstreamNotFound):
    pass


class WhmcsInvalidLogin(WhmcsError):
    pass


class WhmcsDuplicateEmail(WhmcsError):
    pass


class WhmcsOrderNotPending(WhmcsError):
    pass


_KNOWN: tuple[tuple[str, type[WhmcsError], str], ...] = (
    ("authentication failed", WhmcsAuthError, "authentication_failed"),
    ("invalid ip", WhmcsAuthError, "ip_not_allowed"),
    ("email or password invalid", WhmcsInvalidLogin, "invalid_login"),
    ("a user already exists with that email", WhmcsDuplicateEmail, "duplicate_email"),
    ("duplicate email address", WhmcsDuplicateEmail, "duplicate_email"),
    ("status not pending", WhmcsOrderNotPending, "order_not_pending"),
    ("client not found", WhmcsNotFound, "client_not_found"),
    ("client id not found", WhmcsNotFound, "client_not_found"),
    ("invoice id not found", WhmcsNotFound, "invoice_not_found"),
    ("order id not found", WhmcsNotFound, "order_not_found"),
    ("service id not found", WhmcsNotFound, "service_not_found"),
    ("invalid payment method", WhmcsError, "invalid_payment_method"),
    ("no items added to cart", WhmcsError, "empty_order"),
    ("invalid destination", WhmcsError, "invalid_destination"),
    ("command not found", WhmcsError, "unknown_action"),
)


def error_from_message(action: str, message: str) -> WhmcsError:
    folded = message.casefold()
    for fragment, error_type, code in _KNOWN:
        if fragment in folded:
            return error_type(action, code)
    return WhmcsError(action, "action_error")
