"""Freebit SIM API client (reference/freebit.md: observed conventions + team proposal).

Errors::

    UpstreamRejected
    └── FreebitError (code = status.statusCode)
        ├── FreebitAuthError, FreebitInvalidRequest,
        └── FreebitUnknownLine, FreebitLineBusy, FreebitNotAllowed
"""

from integrations.freebit._client import FreebitClient
from integrations.freebit._config import FreebitConfig, FreebitPaths
from integrations.freebit._errors import (
    FreebitAuthError,
    FreebitError,
    FreebitInvalidRequest,
    FreebitLineBusy,
    FreebitNotAllowed,
    FreebitUnknownLine,
)

__all__ = [
    "FreebitAuthError",
    "FreebitClient",
    "FreebitConfig",
    "FreebitError",
    "FreebitInvalidRequest",
    "FreebitLineBusy",
    "FreebitNotAllowed",
    "FreebitPaths",
    "FreebitUnknownLine",
]
