"""Salesforce errors: OAuth ``{"error": …}`` bodies and REST error arrays, typed.

::

    UpstreamRejected
    ├── SalesforceApiError            4xx with ``[{"errorCode", "message", "fields"}]``
    │   │                             (``code`` = errorCode, ``fields`` kept; message dropped)
    │   └── SalesforceNotFound        404 NOT_FOUND (also an UpstreamNotFound)
    └── SalesforceAuthError           token endpoint refused our assertion (invalid_grant,
                                      invalid_client_id; also an UpstreamAuthFailed)
    UpstreamUnavailable
    └── SalesforceRequestLimit        403 REQUEST_LIMIT_EXCEEDED: the org's API quota is spent

A 401 ``INVALID_SESSION_ID`` never escapes: the client refreshes its token and retries
once, and a second 401 surfaces as ``SalesforceApiError(code="INVALID_SESSION_ID")``.
"""

from __future__ import annotations

from collections.abc import Sequence

from integrations.errors import (
    UpstreamAuthFailed,
    UpstreamNotFound,
    UpstreamRejected,
    UpstreamUnavailable,
)

__all__ = [
    "SalesforceApiError",
    "SalesforceAuthError",
    "SalesforceNotFound",
    "SalesforceRequestLimit",
]

SYSTEM = "salesforce"


class SalesforceApiError(UpstreamRejected):
    def __init__(self, status: int, code: str, fields: Sequence[str] = ()) -> None:
        super().__init__(SYSTEM, f"HTTP {status} {code}", status=status, code=code)
        self.fields = tuple(fields)


class SalesforceNotFound(SalesforceApiError, UpstreamNotFound):
    pass


class SalesforceAuthError(UpstreamAuthFailed):
    def __init__(self, code: str) -> None:
        super().__init__(SYSTEM, f"token request refused: {code}", status=400, code=code)


class SalesforceRequestLimit(UpstreamUnavailable):
    pass
