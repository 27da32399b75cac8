"""The auth feature's collaborators, built once per app (and per Redis client)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from bff.auth.families import Families
from bff.auth.passwords import Passwords
from bff.auth.throttle import Throttle
from bff.auth.tokens import AccessTokens
from bff.core.state import get_app_state
from bff.settings import AuthSettings


@dataclass(frozen=True, slots=True)
class Auth:
    settings: AuthSettings
    redis: Redis
    passwords: Passwords
    tokens: AccessTokens
    families: Families
    throttle: Throttle

    @classmethod
    def build(cls, settings: AuthSettings, redis: Redis) -> Auth:
        return cls(
            settings=settings,
            redis=redis,
            passwords=Passwords(settings),
            tokens=AccessTokens(settings),
            families=Families(redis, settings),
            throttle=Throttle(redis, settings),
        )


def get_auth(request: Request) -> Auth:
    state = get_app_state(request)
    cached: Auth | None = getattr(request.app.state, "bff_auth", None)
    if cached is None or cached.redis is not state.redis:
        cached = Auth.build(state.settings.auth, state.redis)
        request.app.state.bff_auth = cached
    return cached


AuthDep = Annotated[Auth, Depends(get_auth)]
