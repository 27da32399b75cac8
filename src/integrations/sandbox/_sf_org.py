"""The Salesforce sandbox org: settings, sObject store, issued tokens, query locators, and
verification of JWT bearer assertions."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import time
from dataclasses import dataclass, field

import jwt
from starlette.requests import Request

from integrations.sandbox._sf_seed import seed_org
from integrations.sandbox._sf_store import SalesforceFault, SObjectStore
from integrations.sandbox.demo_data import INTEGRATION_USER_ID

__all__ = ["API_DAILY_LIMIT", "JWT_GRANT", "ORG_ID", "Org", "SalesforceSandboxSettings"]

ORG_ID = "00D5g000000SBOXEAA"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
API_DAILY_LIMIT = 15000


@dataclass(frozen=True, slots=True)
class SalesforceSandboxSettings:
    public_key_pem: str
    consumer_key: str
    username: str
    audience: str = "https://login.salesforce.com"
    token_lifetime_seconds: float = 7200.0
    query_batch_size: int = 2000


@dataclass
class _Tokens:
    issued: dict[str, float] = field(default_factory=dict)  # token -> expiry (monotonic)
    requests: int = 0


class Org:
    """The sandbox org: store, tokens, query locators."""

    def __init__(self, settings: SalesforceSandboxSettings, today: dt.date) -> None:
        self.settings = settings
        self.today = today
        self.reset()

    def reset(self) -> None:
        seed_time = dt.datetime.combine(self.today, dt.time(0, 0), tzinfo=dt.UTC)
        self.store = SObjectStore(clock=seed_time, current_user=INTEGRATION_USER_ID)
        seed_org(self.store, self.today)
        self.tokens = _Tokens()
        self.locators: dict[str, list[dict[str, object]]] = {}
        self.locator_ids = itertools.count(1)
        self.api_usage = 0

    def issue_token(self) -> str:
        token = f"{ORG_ID[:15]}!{secrets.token_urlsafe(32)}"
        self.tokens.issued[token] = time.monotonic() + self.settings.token_lifetime_seconds
        return token

    def check_token(self, request: Request) -> None:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        expiry = self.tokens.issued.get(token)
        if expiry is None or expiry < time.monotonic():
            raise SalesforceFault(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def verify_assertion(self, assertion: str) -> str | None:
        """Return an OAuth error description, or None when the assertion is valid."""
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            return "invalid assertion"
        if header.get("alg") != "RS256":
            return "invalid assertion"
        try:
            claims = jwt.decode(
                assertion, self.settings.public_key_pem, algorithms=["RS256"],
                options={"verify_aud": False, "verify_iss": False,
                         "require": ["exp", "iss", "sub", "aud"]},
            )  # fmt: skip
        except jwt.ExpiredSignatureError:
            return "expired authorization code"
        except jwt.PyJWTError:
            return "invalid assertion"
        if claims.get("aud") != self.settings.audience:
            return "audience is invalid"
        if claims.get("iss") != self.settings.consumer_key:
            return "invalid_client_id"
        if claims.get("sub") != self.settings.username:
            return "user hasn't approved this consumer"
        if float(claims["exp"]) > time.time() + 300:  # must be within 3 minutes (+ skew)
            return "expired authorization code"
        return None
