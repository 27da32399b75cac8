"""The auth feature's collaborators, built once per app lifespan (with its Redis client)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from bff.auth.families import Families
from bff.auth.passwords import Passwords
from bff.auth.session_view import SessionView, running
from bff.auth.throttle import Throttle
from bff.auth.tokens import AccessTokens
from bff.settings import AuthSettings


@dataclass(frozen=True, slots=True)
class Auth:
    settings: AuthSettings
    redis: Redis
    passwords: Passwords
    tokens: AccessTokens
    families: Families
    sessions: SessionView
    throttle: Throttle

    @classmethod
    def build(cls, settings: AuthSettings, redis: Redis) -> Auth:
        families = Families(redis, settings)
        return cls(
            settings=settings,
            redis=redis,
            passwords=Passwords(settings),
            tokens=AccessTokens(settings),
            families=families,
            sessions=SessionView(
                families,
                redis,
                staleness_s=settings.session_view_staleness_s,
                max_entries=settings.session_view_max_entries,
                entry_ttl_s=settings.access_token_ttl_s,
            ),
            throttle=Throttle(redis, settings),
        )


@asynccontextmanager
async def running_auth(settings: AuthSettings, redis: Redis) -> AsyncIterator[Auth]:
    """Auth for one lifespan, its session view following revocations meanwhile."""
    auth = Auth.build(settings, redis)
    async with running(auth.sessions):
        yield auth


def auth_of(request: Request) -> Auth:
    auth: Auth = request.app.state.bff_auth
    return auth


# `async` on purpose: FastAPI runs a sync dependency in the thread pool (a hop per request).
async def get_auth(request: Request) -> Auth:
    return auth_of(request)


AuthDep = Annotated[Auth, Depends(get_auth)]
