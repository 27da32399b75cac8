"""Access tokens: short JWTs signed with the active `kid`, checked against every configured key.

Only the configured algorithm is accepted (never `none`, never an asymmetric one), the
header's `kid` must name a configured key, and `sub`, `sid`, `iat`, `exp`, `iss`, `aud`
and `jti` are all required. Revocation is not in the token: the caller checks that the
session family `sid` still exists (see :mod:`bff.auth.dependencies`).

A client presents the same token on every request for its 15 minutes, and checking it
(base64, JSON, HMAC, claims) was a tenth to a fifth of a cached read's CPU in the
profile (bench/README.md, "Profiling"). So tokens that passed are remembered, by their
exact text, until they expire; only the expiry is checked again. Tokens that fail are
never remembered, so garbage cannot grow the memo.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from cachetools import TLRUCache

from bff.settings import AuthSettings

REQUIRED_CLAIMS = ("sub", "sid", "iat", "exp", "iss", "aud", "jti")


class InvalidAccessToken(Exception):
    """The token is malformed, forged, expired or not meant for us (reason for logs only)."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    session_id: str
    expires_at: int


_MEMO_ENTRIES = 10_000


class AccessTokens:
    def __init__(self, settings: AuthSettings, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._verified: TLRUCache[str, AccessClaims] = TLRUCache(
            _MEMO_ENTRIES, lambda _token, claims, _now: claims.expires_at, timer=clock
        )
        self._algorithm = settings.jwt_algorithm
        self._keys = {kid: key.get_secret_value() for kid, key in settings.jwt_keys.items()}
        self._active_kid = settings.jwt_active_kid
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self.ttl_s = settings.access_token_ttl_s

    def issue(self, *, user_id: str, session_id: str, now: float | None = None) -> str:
        issued_at = int(now if now is not None else time.time())
        claims = {
            "sub": user_id,
            "sid": session_id,
            "iat": issued_at,
            "exp": issued_at + self.ttl_s,
            "iss": self._issuer,
            "aud": self._audience,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(
            claims,
            self._keys[self._active_kid],
            algorithm=self._algorithm,
            headers={"kid": self._active_kid},
        )

    def verify(self, token: str) -> AccessClaims:
        known = self._verified.get(token)
        if known is not None and known.expires_at > self._clock():
            return known
        claims = self._verify(token)
        self._verified[token] = claims
        return claims

    def _verify(self, token: str) -> AccessClaims:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidAccessToken("malformed") from exc
        if header.get("alg") != self._algorithm:
            raise InvalidAccessToken("algorithm")
        key = self._keys.get(str(header.get("kid", "")))
        if key is None:
            raise InvalidAccessToken("unknown kid")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                # Expiry is checked below with this object's clock, the memo's clock too.
                options={
                    "require": list(REQUIRED_CLAIMS),
                    "verify_iat": True,
                    "verify_exp": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise InvalidAccessToken(type(exc).__name__) from exc
        subject, session_id, expires_at = claims.get("sub"), claims.get("sid"), claims.get("exp")
        if not isinstance(subject, str) or not isinstance(session_id, str) or not session_id:
            raise InvalidAccessToken("claims")
        if not isinstance(expires_at, int) or isinstance(expires_at, bool):
            raise InvalidAccessToken("claims")
        if expires_at <= self._clock():
            raise InvalidAccessToken("ExpiredSignatureError")
        return AccessClaims(user_id=subject, session_id=session_id, expires_at=expires_at)
