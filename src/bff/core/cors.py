"""The portal's CORS rules, in one place for Starlette's middleware and the lean read path.

Starlette's ``CORSMiddleware`` answers preflights and decorates every other response.
The lean read path (:mod:`bff.catalog.fast_path`) answers before that middleware, so it
asks :meth:`CorsPolicy.simple_headers` for exactly what the middleware would have added;
a test compares the two paths header by header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

ALLOWED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "X-Request-ID",
    "X-Requested-With",
    "If-None-Match",
    "Last-Event-ID",
)
EXPOSED_HEADERS = ("X-Request-ID", "Retry-After", "ETag", "Idempotent-Replayed", "X-Cache")
PREFLIGHT_MAX_AGE_S = 600
_VARY_ORIGIN = (b"vary", b"Origin")
_NO_ORIGIN = (_VARY_ORIGIN,)


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """Explicit origins (a wildcard is refused by the settings), credentials allowed."""

    origins: frozenset[str]

    def middleware_options(self) -> dict[str, Any]:
        """Keyword arguments of Starlette's ``CORSMiddleware`` for this policy."""
        return {
            "allow_origins": sorted(self.origins),
            "allow_credentials": True,
            "allow_methods": list(ALLOWED_METHODS),
            "allow_headers": list(ALLOWED_HEADERS),
            "expose_headers": list(EXPOSED_HEADERS),
            "max_age": PREFLIGHT_MAX_AGE_S,
        }

    def simple_headers(self, origin: str | None) -> Sequence[tuple[bytes, bytes]]:
        """What the middleware adds to a non-preflight response for this ``Origin``."""
        if origin is None:
            return _NO_ORIGIN
        headers = [
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-expose-headers", ", ".join(EXPOSED_HEADERS).encode()),
        ]
        if origin in self.origins:
            headers.append((b"access-control-allow-origin", origin.encode("latin-1")))
        headers.append(_VARY_ORIGIN)
        return headers
