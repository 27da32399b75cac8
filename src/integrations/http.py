"""Shared httpx plumbing for the provider clients.

Every client package defines a frozen config that satisfies :class:`ProviderConfig`
(system name, base URL, an :class:`HttpPolicy`). The BFF lifespan calls
:func:`build_http_client` once per system, hands the client to the provider client's
constructor and closes it at shutdown; nothing here opens a connection at import time.

Resilience (deadline, retries, breaker, concurrency limit) lives in
:mod:`integrations.resilience`; the error tree in :mod:`integrations.errors`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

from integrations.errors import UpstreamBadResponse

__all__ = [
    "HttpPolicy",
    "ProviderConfig",
    "build_http_client",
    "parse_json_body",
    "retry_after_seconds",
]


@dataclass(frozen=True, slots=True)
class HttpPolicy:
    """Timeouts, limits, retry and breaker settings of one provider system.

    ``deadline`` bounds a whole call, queueing for the concurrency limit and retries
    included; ``connect_timeout``/``read_timeout`` bound one attempt. Retries apply to
    idempotent reads only.
    """

    connect_timeout: float = 2.0
    read_timeout: float = 5.0
    write_timeout: float = 5.0
    pool_timeout: float = 2.0
    deadline: float = 8.0
    max_connections: int = 50
    max_keepalive_connections: int = 20
    max_concurrency: int = 50
    retry_attempts: int = 3
    backoff_initial: float = 0.1
    backoff_max: float = 1.0
    breaker_failure_threshold: int = 5
    breaker_open_seconds: float = 30.0
    user_agent: str = "portal-bff"


class ProviderConfig(Protocol):
    """What :func:`build_http_client` needs from a provider client's config."""

    @property
    def system(self) -> str: ...

    @property
    def base_url(self) -> str: ...

    @property
    def http(self) -> HttpPolicy: ...


def build_http_client(
    config: ProviderConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """Create the shared ``httpx.AsyncClient`` of one provider system.

    The caller owns it and must ``await client.aclose()``. ``transport`` lets tests and
    local tools inject ``httpx.MockTransport`` or ``httpx.ASGITransport``.
    """
    policy = config.http
    return httpx.AsyncClient(
        base_url=config.base_url,
        timeout=httpx.Timeout(
            connect=policy.connect_timeout,
            read=policy.read_timeout,
            write=policy.write_timeout,
            pool=policy.pool_timeout,
        ),
        limits=httpx.Limits(
            max_connections=policy.max_connections,
            max_keepalive_connections=policy.max_keepalive_connections,
        ),
        headers={"User-Agent": policy.user_agent, "Accept": "application/json"},
        # Providers never legitimately redirect API calls; a redirect means a wrong URL.
        follow_redirects=False,
        transport=transport,
    )


def parse_json_body(system: str, response: httpx.Response) -> object:
    """Decode a JSON body or raise :class:`UpstreamBadResponse` (without the body)."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UpstreamBadResponse(
            system,
            f"malformed JSON body (HTTP {response.status_code})",
            status=response.status_code,
        ) from exc


def retry_after_seconds(response: httpx.Response, default: float = 1.0) -> float:
    """Read ``Retry-After`` (seconds or HTTP date); fall back to ``default``."""
    raw = response.headers.get("Retry-After")
    if raw is None:
        return default
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return default
    date_header = response.headers.get("Date")
    if date_header is None:
        return default
    try:
        now = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return default
    return max(0.0, (when - now).total_seconds())
