"""OAuth 2.0 JWT bearer flow with a cached, single-flight access token."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import jwt

from integrations.errors import UpstreamBadResponse, UpstreamUnavailable
from integrations.http import parse_json_body, retry_after_seconds
from integrations.resilience import UpstreamGuard
from integrations.salesforce._config import SalesforceConfig
from integrations.salesforce._errors import SYSTEM, SalesforceAuthError

__all__ = ["AccessToken", "TokenProvider"]

JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str
    instance_url: str
    user_id: str  # the integration user, from the identity URL
    refresh_at: float  # monotonic time after which a new token is fetched
    org_id: str = ""  # the org (Pub/Sub ``tenantid``), from the identity URL


class TokenProvider:
    """Hands out a valid access token; concurrent callers share one fetch."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: SalesforceConfig,
        guard: UpstreamGuard,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._config = config
        self._guard = guard
        self._clock = clock
        self._lock = asyncio.Lock()
        self._current: AccessToken | None = None

    async def get(self) -> AccessToken:
        current = self._current
        if current is not None and self._clock() < current.refresh_at:
            return current
        async with self._lock:
            # Whoever waited on the lock finds the token the first caller just fetched.
            current = self._current
            if current is not None and self._clock() < current.refresh_at:
                return current
            self._current = await self._guard.call("oauth_token", self._fetch, idempotent=True)
            return self._current

    def invalidate(self, token: AccessToken) -> None:
        """Drop ``token`` after Salesforce refused it (a newer one is kept)."""
        if self._current is token:
            self._current = None

    def _assertion(self) -> str:
        now = int(time.time())
        claims = {
            "iss": self._config.consumer_key,
            "sub": self._config.username,
            "aud": self._config.audience,
            "exp": now + self._config.assertion_lifetime_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._config.private_key_pem, algorithm="RS256")

    async def _fetch(self) -> AccessToken:
        response = await self._http.post(
            f"{self._config.login_url.rstrip('/')}/services/oauth2/token",
            data={"grant_type": JWT_BEARER_GRANT, "assertion": self._assertion()},
        )
        status = response.status_code
        if status == 503:
            raise UpstreamUnavailable(SYSTEM, "HTTP 503", retry_after=retry_after_seconds(response))
        if status >= 500:
            raise UpstreamBadResponse(SYSTEM, f"token endpoint HTTP {status}", status=status)
        body = parse_json_body(SYSTEM, response)
        if not isinstance(body, dict):
            raise UpstreamBadResponse(SYSTEM, "token response is not an object", status=status)
        if status != 200:
            error = body.get("error")
            raise SalesforceAuthError(error if isinstance(error, str) else f"HTTP {status}")
        token, instance, identity = (
            body.get("access_token"),
            body.get("instance_url"),
            body.get("id"),
        )
        if not isinstance(token, str) or not isinstance(instance, str):
            raise UpstreamBadResponse(SYSTEM, "token response lacks access_token/instance_url")
        lifetime = self._config.token_lifetime_seconds - self._config.token_refresh_margin_seconds
        return AccessToken(
            value=token,
            instance_url=instance.rstrip("/"),
            user_id=identity.rsplit("/", 1)[-1] if isinstance(identity, str) else "",
            refresh_at=self._clock() + max(lifetime, 0.0),
            org_id=_org_id(identity),
        )


def _org_id(identity: object) -> str:
    """``…/id/<orgId>/<userId>`` -> orgId."""
    if not isinstance(identity, str):
        return ""
    parts = identity.rstrip("/").split("/")
    return parts[-2] if len(parts) >= 3 and parts[-3] == "id" else ""
