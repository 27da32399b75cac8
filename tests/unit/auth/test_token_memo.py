"""Verified access tokens are remembered until they expire; refused ones never are."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from bff.auth import tokens as tokens_module
from bff.auth.tokens import AccessTokens, InvalidAccessToken
from bff.settings import AuthSettings


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = jwt.decode

    def counting(token: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(tokens_module.jwt, "decode", counting)
    return calls


def test_a_verified_token_is_not_checked_again(decodes: list[str]) -> None:
    tokens = AccessTokens(AuthSettings())
    token = tokens.issue(user_id="u1", session_id="s1")
    first = tokens.verify(token)
    assert tokens.verify(token) == first
    assert len(decodes) == 1


def test_a_remembered_token_still_expires() -> None:
    now = [float(int(time.time()))]
    tokens = AccessTokens(AuthSettings(), clock=lambda: now[0])
    token = tokens.issue(user_id="u1", session_id="s1", now=now[0])
    now[0] += AuthSettings().access_token_ttl_s - 1
    assert tokens.verify(token).session_id == "s1"
    assert tokens.verify(token).session_id == "s1"
    now[0] += 1
    with pytest.raises(InvalidAccessToken, match="Expired"):
        tokens.verify(token)


def test_refused_tokens_are_checked_every_time(decodes: list[str]) -> None:
    tokens = AccessTokens(AuthSettings())
    good = tokens.issue(user_id="u1", session_id="s1")
    head, payload, signature = good.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    for _ in range(3):
        with pytest.raises(InvalidAccessToken):
            tokens.verify(forged)
    assert len(decodes) == 3
