"""Readiness: can this process serve traffic right now? (PostgreSQL/SQLite and Redis)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Literal

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

CheckResult = Literal["ok", "failed", "timeout"]


async def _probe(check: Callable[[], Awaitable[object]], timeout_s: float) -> CheckResult:
    try:
        async with asyncio.timeout(timeout_s):
            await check()
    except TimeoutError:
        return "timeout"
    except Exception:  # any failure of the dependency means "not ready", never a 500
        return "failed"
    return "ok"


async def check_readiness(
    *, engine: AsyncEngine, redis: Redis, timeout_s: float
) -> dict[str, CheckResult]:
    async def database() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def ping_redis() -> None:
        await redis.ping()

    db_result, redis_result = await asyncio.gather(
        _probe(database, timeout_s), _probe(ping_redis, timeout_s)
    )
    return {"database": db_result, "redis": redis_result}
