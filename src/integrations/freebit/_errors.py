"""Freebit errors: the ``resultCode`` / ``status.statusCode`` envelope, typed.

::

    UpstreamRejected
    └── FreebitError                 code = status.statusCode (e.g. "302", "400-356")
        ├── FreebitAuthError         "200": OEM credentials or authKey refused (also an
        │                            UpstreamAuthFailed; an expired authKey is renewed first)
        ├── FreebitInvalidRequest    "300": a missing or malformed field
        ├── FreebitUnknownLine       "400-101": no such line (also an UpstreamNotFound)
        ├── FreebitLineBusy          "400-201": another operation on the line is in progress
        └── FreebitNotAllowed        "400-356": not allowed for the line's state or this request
    UpstreamUnavailable              "500": system error or maintenance (retried on reads)

Freebit messages are free Japanese text that may name the line, so only codes are kept.
"""

from __future__ import annotations

from integrations.errors import UpstreamAuthFailed, UpstreamNotFound, UpstreamRejected

__all__ = [
    "FreebitAuthError",
    "FreebitError",
    "FreebitInvalidRequest",
    "FreebitLineBusy",
    "FreebitNotAllowed",
    "FreebitUnknownLine",
]

SYSTEM = "freebit"


class FreebitError(UpstreamRejected):
    def __init__(self, operation: str, result_code: str, status_code: str) -> None:
        super().__init__(
            SYSTEM, f"{operation} refused: {result_code}/{status_code}", code=status_code
        )
        self.operation = operation
        self.result_code = result_code


class FreebitAuthError(FreebitError, UpstreamAuthFailed):
    pass


class FreebitInvalidRequest(FreebitError):
    pass


class FreebitUnknownLine(FreebitError, UpstreamNotFound):
    pass


class FreebitLineBusy(FreebitError):
    pass


class FreebitNotAllowed(FreebitError):
    pass
