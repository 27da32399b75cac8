"""The arq worker process (`bff worker`): background jobs against the production Redis.

arq delivers at least once, so every job here is safe to run twice. The health key is
refreshed every 15 s (arq's default is an hour) so orchestrators can probe it.
"""

from __future__ import annotations

from typing import Any

import structlog
from arq import cron
from arq.connections import RedisSettings
from arq.worker import check_health
from arq.worker import run_worker as run_arq_worker

from bff.core.db import create_engine, create_session_factory, transactional_session, utcnow
from bff.core.logging import configure_logging
from bff.idempotency.maintenance import purge_expired
from bff.settings import Settings

log = structlog.get_logger("bff.worker")

Context = dict[str, Any]


async def purge_expired_idempotency_records(ctx: Context) -> int:
    async for session in transactional_session(ctx["session_factory"]):
        removed = await purge_expired(session, now=utcnow())
    log.info("idempotency.purged", removed=removed)
    return removed


def worker_settings(settings: Settings) -> dict[str, Any]:
    async def on_startup(ctx: Context) -> None:
        ctx["engine"] = create_engine(settings.database_url, pool_size=settings.database_pool_size)
        ctx["session_factory"] = create_session_factory(ctx["engine"])

    async def on_shutdown(ctx: Context) -> None:
        await ctx["engine"].dispose()

    return {
        "functions": [],
        "cron_jobs": [cron(purge_expired_idempotency_records, minute={7}, run_at_startup=True)],
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "health_check_interval": 15,
        "job_timeout": 120,
        "max_tries": 5,
    }


def run_worker(settings: Settings) -> None:
    configure_logging(level=settings.log_level, json_lines=settings.json_logs)
    run_arq_worker(worker_settings(settings))


def check_worker_health(settings: Settings) -> int:
    return int(check_health(worker_settings(settings)))
