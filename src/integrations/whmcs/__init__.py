"""WHMCS External API client (billing: clients, invoices, services, orders).

Errors::

    UpstreamRejected
    └── WhmcsError
        ├── WhmcsAuthError, WhmcsNotFound, WhmcsInvalidLogin,
        └── WhmcsDuplicateEmail, WhmcsOrderNotPending
"""

from integrations.whmcs._client import WhmcsClient
from integrations.whmcs._config import WhmcsConfig
from integrations.whmcs._errors import (
    WhmcsAuthError,
    WhmcsDuplicateEmail,
    WhmcsError,
    WhmcsInvalidLogin,
    WhmcsNotFound,
    WhmcsOrderNotPending,
)
from integrations.whmcs._models import (
    SsoLink,
    WhmcsLogin,
    WhmcsOrder,
    WhmcsOrderList,
    WhmcsProduct,
)

__all__ = [
    "SsoLink",
    "WhmcsAuthError",
    "WhmcsClient",
    "WhmcsConfig",
    "WhmcsDuplicateEmail",
    "WhmcsError",
    "WhmcsInvalidLogin",
    "WhmcsLogin",
    "WhmcsNotFound",
    "WhmcsOrder",
    "WhmcsOrderList",
    "WhmcsOrderNotPending",
    "WhmcsProduct",
]
