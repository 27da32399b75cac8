"""Salesforce client: OAuth 2.0 JWT bearer flow, REST (query, sObjects, collections,
composite) and a SOQL builder that binds values safely.

Errors::

    UpstreamRejected
    ├── SalesforceApiError (code = errorCode)
    │   └── SalesforceNotFound
    └── SalesforceAuthError (token request refused)
    UpstreamUnavailable
    └── SalesforceRequestLimit
"""

from integrations.salesforce._auth import AccessToken, TokenProvider
from integrations.salesforce._client import SalesforceClient
from integrations.salesforce._config import SalesforceConfig
from integrations.salesforce._errors import (
    SalesforceApiError,
    SalesforceAuthError,
    SalesforceNotFound,
    SalesforceRequestLimit,
)
from integrations.salesforce._rest import (
    CompositeResult,
    SalesforceRestClient,
    SaveError,
    SaveResult,
)
from integrations.salesforce._soql import (
    Soql,
    SoqlValue,
    identifier,
    like_contains,
    like_prefix,
    literal,
    soql,
)

__all__ = [
    "AccessToken",
    "CompositeResult",
    "SalesforceApiError",
    "SalesforceAuthError",
    "SalesforceClient",
    "SalesforceConfig",
    "SalesforceNotFound",
    "SalesforceRequestLimit",
    "SalesforceRestClient",
    "SaveError",
    "SaveResult",
    "Soql",
    "SoqlValue",
    "TokenProvider",
    "identifier",
    "like_contains",
    "like_prefix",
    "literal",
    "soql",
]
