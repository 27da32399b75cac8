"""Forged, expired and misdirected access tokens are all the same 401 `auth.unauthorized`."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bff.auth.tokens import AccessTokens, InvalidAccessToken
from bff.settings import DEV_PLACEHOLDER_SECRET, AuthSettings
from tests.api.auth.support import Users, bearer, login

DEV_KEY = DEV_PLACEHOLDER_SECRET
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PUBLIC_PEM = RSA_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def _b64(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(valid: dict[str, object], **changes: object) -> dict[str, object]:
    return {**valid, **changes}


def _forgeries(valid_token: str) -> dict[str, Callable[[], str]]:
    claims = jwt.decode(valid_token, options={"verify_signature": False})
    header = {"alg": "HS256", "kid": "dev", "typ": "JWT"}
    head, body, signature = valid_token.split(".")
    now = int(time.time())

    def signed(**changes: object) -> str:
        return jwt.encode(_claims(claims, **changes), DEV_KEY, "HS256", headers={"kid": "dev"})

    def without(name: str) -> str:
        return jwt.encode(
            {k: v for k, v in claims.items() if k != name}, DEV_KEY, "HS256", headers={"kid": "dev"}
        )

    return {
        "expired": lambda: signed(iat=now - 3600, exp=now - 60),
        "wrong audience": lambda: signed(aud="someone-else"),
        "wrong issuer": lambda: signed(iss="evil-issuer"),
        "missing sid": lambda: without("sid"),
        "missing jti": lambda: without("jti"),
        "missing exp": lambda: without("exp"),
        "tampered payload": lambda: f"{head}.{_b64(_claims(claims, sub='someone'))}.{signature}",
        "tampered signature": lambda: f"{head}.{body}.{signature[::-1]}",
        "alg none": lambda: f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': 'dev'})}.{body}.",
        "alg none no kid": lambda: f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{body}.",
        "other HMAC algorithm": lambda: jwt.encode(
            claims, DEV_KEY, "HS512", headers={"kid": "dev"}
        ),
        "RS256 with our kid": lambda: jwt.encode(claims, RSA_KEY, "RS256", headers={"kid": "dev"}),
        # HS/RS confusion: an HMAC signature keyed with a public key.
        "HS256 keyed with a public key": lambda: _hmac_with(header, claims, RSA_PUBLIC_PEM),
        "unknown kid": lambda: jwt.encode(claims, DEV_KEY, "HS256", headers={"kid": "nope"}),
        "no kid": lambda: jwt.encode(claims, DEV_KEY, "HS256"),
        "wrong key": lambda: jwt.encode(claims, "x" * 40, "HS256", headers={"kid": "dev"}),
        "garbage": lambda: "not-a-jwt",
        "three dots of garbage": lambda: "a.b.c",
        "empty": lambda: "",
        "sub not a user id": lambda: signed(sub="admin"),
        "unknown session": lambda: signed(sid="no-such-session"),
    }


def _hmac_with(header: dict[str, object], claims: dict[str, object], key: bytes) -> str:
    import hashlib
    import hmac

    signing_input = f"{_b64(header)}.{_b64(claims)}"
    digest = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


async def test_a_valid_token_works(api: httpx.AsyncClient, users: Users) -> None:
    session = await login(api, (await users.create()).email)
    assert (
        await api.get("/api/auth/sessions", headers=bearer(session["accessToken"]))
    ).status_code == 200


@pytest.mark.filterwarnings("ignore:The HMAC key is")
@pytest.mark.parametrize(
    "forgery",
    [
        "expired",
        "wrong audience",
        "wrong issuer",
        "missing sid",
        "missing jti",
        "missing exp",
        "tampered payload",
        "tampered signature",
        "alg none",
        "alg none no kid",
        "other HMAC algorithm",
        "RS256 with our kid",
        "HS256 keyed with a public key",
        "unknown kid",
        "no kid",
        "wrong key",
        "garbage",
        "three dots of garbage",
        "empty",
        "sub not a user id",
        "unknown session",
    ],
)
async def test_forged_or_misdirected_tokens_are_refused(
    api: httpx.AsyncClient, users: Users, forgery: str
) -> None:
    session = await login(api, (await users.create()).email)
    token = _forgeries(str(session["accessToken"]))[forgery]()
    response = await api.get("/api/auth/sessions", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, forgery
    assert response.json()["code"] == "auth.unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Token abc", "bearer"])
async def test_malformed_authorization_headers(api: httpx.AsyncClient, header: str) -> None:
    response = await api.get("/api/auth/sessions", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "auth.unauthorized"


def test_key_rotation_old_kid_verifies_until_removed() -> None:
    old = AuthSettings(jwt_keys={"2026-10": "o" * 40}, jwt_active_kid="2026-10")
    both = AuthSettings(
        jwt_keys={"2026-10": "o" * 40, "2026-11": "n" * 40}, jwt_active_kid="2026-11"
    )
    new_only = AuthSettings(jwt_keys={"2026-11": "n" * 40}, jwt_active_kid="2026-11")
    issued_before = AccessTokens(old).issue(user_id="u", session_id="s")
    issued_after = AccessTokens(both).issue(user_id="u", session_id="s")
    assert jwt.get_unverified_header(issued_after)["kid"] == "2026-11"
    assert AccessTokens(both).verify(issued_before).user_id == "u"
    assert AccessTokens(both).verify(issued_after).session_id == "s"
    assert AccessTokens(new_only).verify(issued_after).user_id == "u"
    with pytest.raises(InvalidAccessToken):
        AccessTokens(new_only).verify(issued_before)


def test_issued_tokens_carry_every_claim() -> None:
    settings = AuthSettings()
    token = AccessTokens(settings).issue(user_id="u1", session_id="s1", now=1_800_000_000)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) == {"sub", "sid", "iat", "exp", "iss", "aud", "jti"}
    assert claims["exp"] - claims["iat"] == 900
    assert (claims["iss"], claims["aud"]) == ("portal-bff", "portal-api")
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
