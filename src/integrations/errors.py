"""Typed errors raised by every provider client.

The BFF maps them to HTTP without knowing which provider failed::

    UpstreamError                  -> 502 upstream.error
    ├── UpstreamUnavailable        -> 503 upstream.unavailable + Retry-After
    │   │                             (connect failure, HTTP 503, provider "maintenance")
    │   └── CircuitOpen            (the breaker refused the call; nothing was sent)
    ├── UpstreamTimeout            -> 504 upstream.timeout (total deadline exceeded)
    ├── UpstreamBadResponse        -> 502 (5xx other than 503, malformed or unexpected body)
    └── UpstreamRejected           -> 502 unless a feature maps a subclass to a domain error
        │                             (the provider understood and refused: 4xx, error envelope)
        ├── UpstreamAuthFailed     (our credentials were refused; an operator problem)
        └── UpstreamNotFound       (the provider says the record does not exist)

Each client package subclasses ``UpstreamRejected`` for its own vocabulary
(``WhmcsError``, ``SalesforceApiError``, ``FreebitError``, ...).

Messages never contain a provider's response body or personal data: errors end up in
logs and, through the BFF, near API responses. Only the system name, the HTTP status and
a stable, provider-defined code are kept.
"""

from __future__ import annotations

__all__ = [
    "CircuitOpen",
    "UpstreamAuthFailed",
    "UpstreamBadResponse",
    "UpstreamError",
    "UpstreamNotFound",
    "UpstreamRejected",
    "UpstreamTimeout",
    "UpstreamUnavailable",
]


class UpstreamError(Exception):
    """Base of every error a provider client raises.

    ``system`` names the provider (``"whmcs"``, ``"salesforce"``, ``"freebit"``).
    """

    def __init__(self, system: str, message: str) -> None:
        super().__init__(f"{system}: {message}")
        self.system = system


class UpstreamUnavailable(UpstreamError):
    """The provider cannot be reached or says it is down; try again after ``retry_after``."""

    def __init__(self, system: str, message: str, *, retry_after: float = 1.0) -> None:
        super().__init__(system, message)
        self.retry_after = retry_after


class CircuitOpen(UpstreamUnavailable):
    """The circuit breaker for ``system`` is open; no request was sent."""


class UpstreamTimeout(UpstreamError):
    """The provider did not answer within the call's total deadline."""


class UpstreamBadResponse(UpstreamError):
    """The provider answered with a server error or a body we cannot understand."""

    def __init__(self, system: str, message: str, *, status: int | None = None) -> None:
        super().__init__(system, message)
        self.status = status


class UpstreamRejected(UpstreamError):
    """The provider understood the request and refused it.

    ``status`` is the HTTP status (``None`` when the refusal came in a 200 envelope) and
    ``code`` a stable provider code such as ``MALFORMED_QUERY`` or ``400-201``.
    """

    def __init__(
        self,
        system: str,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(system, message)
        self.status = status
        self.code = code


class UpstreamAuthFailed(UpstreamRejected):
    """The provider refused our integration credentials."""


class UpstreamNotFound(UpstreamRejected):
    """The provider reports that the requested record does not exist."""
