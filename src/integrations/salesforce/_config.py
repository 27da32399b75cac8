"""Configuration of the Salesforce client."""

from __future__ import annotations

from dataclasses import dataclass, field

from integrations.http import HttpPolicy

__all__ = ["SalesforceConfig"]


@dataclass(frozen=True, slots=True)
class SalesforceConfig:
    """OAuth 2.0 JWT bearer flow + REST settings.

    ``login_url`` hosts ``/services/oauth2/token`` (login/test/My Domain); REST calls go
    to the ``instance_url`` the token response names. ``audience`` is the JWT ``aud``.
    Salesforce does not return a token lifetime, so ``token_lifetime_seconds`` should be
    at most the org's session timeout; tokens are refreshed ``token_refresh_margin_seconds``
    early and, whatever the lifetime, once on ``INVALID_SESSION_ID``.
    """

    login_url: str
    consumer_key: str
    username: str
    private_key_pem: str = field(repr=False)
    audience: str = "https://login.salesforce.com"
    api_version: str = "v66.0"
    token_lifetime_seconds: float = 1800.0
    token_refresh_margin_seconds: float = 60.0
    assertion_lifetime_seconds: int = 170  # Salesforce accepts exp up to 3 minutes ahead
    pricebook_id: str | None = None  # the portal price book; None = the standard one
    currency: str = "JPY"
    query_max_records: int = 2000
    http: HttpPolicy = field(default_factory=HttpPolicy)
    system: str = "salesforce"

    @property
    def base_url(self) -> str:
        return self.login_url
