"""Access tokens: short JWTs signed with the active `kid`, checked against every configured key.

Only the configured algorithm is accepted (never `none`, never an asymmetric one), the
header's `kid` must name a configured key, and `sub`, `sid`, `iat`, `exp`, `iss`, `aud`
and `jti` are all required. Revocation is not in the token: the caller checks that the
session family `sid` still exists (see :mod:`bff.auth.dependencies`).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from bff.settings import AuthSettings

REQUIRED_CLAIMS = ("sub", "sid", "iat", "exp", "iss", "aud", "jti")


class InvalidAccessToken(Exception):
    """The token is malformed, forged, expired or not meant for us (reason for logs only)."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    session_id: str
    expires_at: int


class AccessTokens:
    def __init__(self, settings: AuthSettings) -> None:
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
                options={"require": list(REQUIRED_CLAIMS), "verify_iat": True},
            )
        except jwt.PyJWTError as exc:
            raise InvalidAccessToken(type(exc).__name__) from exc
        subject, session_id = claims.get("sub"), claims.get("sid")
        if not isinstance(subject, str) or not isinstance(session_id, str) or not session_id:
            raise InvalidAccessToken("claims")
        return AccessClaims(user_id=subject, session_id=session_id, expires_at=int(claims["exp"]))
