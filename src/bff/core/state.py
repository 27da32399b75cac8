"""What the lifespan builds once per process, and the dependencies that hand it out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bff.core.db import transactional_session
from bff.core.providers import Providers
from bff.settings import Settings


@dataclass(frozen=True, slots=True)
class AppState:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    redis: Redis
    providers: Providers


def get_app_state(request: Request) -> AppState:
    state: AppState = request.state.app
    return state


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    async for session in transactional_session(get_app_state(request).session_factory):
        yield session


# FastAPI runs a sync (`def`) dependency in the thread pool: a hop per request that costs
# more than the lookup itself, so the dependencies below are `async`.
async def _app_state_dependency(request: Request) -> AppState:
    return get_app_state(request)


async def _redis_dependency(request: Request) -> Redis:
    return get_app_state(request).redis


async def _settings_dependency(request: Request) -> Settings:
    return get_app_state(request).settings


AppStateDep = Annotated[AppState, Depends(_app_state_dependency)]
DbSession = Annotated[AsyncSession, Depends(get_db_session)]
RedisDep = Annotated[Redis, Depends(_redis_dependency)]
SettingsDep = Annotated[Settings, Depends(_settings_dependency)]
