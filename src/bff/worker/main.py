"""The arq worker process (`bff worker`): background jobs against the production Redis.

arq delivers at least once, so every job here is safe to run twice. The health key is
refreshed every 15 s (arq's default is an hour) so orchestrators can probe it.

``provision_order`` (see :mod:`bff.provisioning.job`) is configured deliberately:

- ``timeout`` = ``BFF_PROVISIONING__JOB_TIMEOUT_S`` (60 s): a try makes at most ~8 provider
  calls, each bounded by its client's deadline. A timeout is terminal in arq (no retry), so
  it must be well above a slow but healthy try; it must also stay short, because a killed
  worker's job only runs again once its in-progress key expires (longest timeout + 10 s).
  The worker-wide ``job_timeout`` is the same, so the cron job does not lengthen that.
- ``max_tries`` = ``BFF_PROVISIONING__MAX_TRIES`` (10) with exponential backoff from
  ``RETRY_BASE_S`` to ``RETRY_MAX_S``: about 25 minutes of waiting for a partner system
  before the order is marked failed (the last try fails it, arq would drop it silently).
- ``resume_stalled_provisioning`` (cron, every minute): re-enqueues runs left half-way by a
  timed-out or dropped job (:mod:`bff.provisioning.reaper`).
- ``keep_result`` = ``BFF_PROVISIONING__KEEP_RESULT_S`` (24 h): while the result is kept,
  enqueueing the same job id is a no-op, so a redelivered event does not even start a
  try; afterwards the persisted run makes a rerun a no-op anyway.
- ``poll_delay`` = 0.1 s (arq's default is 0.5 s): an idle worker notices a new job within
  this, so it is part of every order's event-to-active latency (the provisioning
  benchmark measured 0.9 -> 0.5 s for an order alone); the price is one ZRANGEBYSCORE per
  poll. A busy worker is not slowed either way: it takes up to 100 queued jobs per poll.
"""

from __future__ import annotations

import contextlib
from typing import Any

import structlog
from arq import cron
from arq.connections import RedisSettings
from arq.worker import check_health, func
from arq.worker import run_worker as run_arq_worker

from bff.core.db import create_engine, create_session_factory, transactional_session, utcnow
from bff.core.logging import configure_logging
from bff.core.providers import open_providers
from bff.events.jobs import PROVISION_ORDER_JOB, ProvisionOrderJob
from bff.idempotency.maintenance import purge_expired
from bff.provisioning.job import ProvisioningContext, provision
from bff.provisioning.reaper import resume_stalled
from bff.provisioning.status_events import StatusPublisher
from bff.provisioning.store import RunStore
from bff.settings import Settings

log = structlog.get_logger("bff.worker")

Context = dict[str, Any]

POLL_DELAY_S = 0.1


async def purge_expired_idempotency_records(ctx: Context) -> int:
    async for session in transactional_session(ctx["session_factory"]):
        removed = await purge_expired(session, now=utcnow())
    log.info("idempotency.purged", removed=removed)
    return removed


async def resume_stalled_provisioning(ctx: Context) -> int:
    context: ProvisioningContext = ctx["provisioning"]
    return await resume_stalled(ctx["session_factory"], ctx["redis"], context.settings)


async def provision_order(ctx: Context, payload: dict[str, object]) -> str:
    """Advance one Salesforce Order's provisioning (see :mod:`bff.provisioning.job`)."""
    job = ProvisionOrderJob.from_payload(payload)
    context: ProvisioningContext = ctx["provisioning"]
    return await provision(context, job, job_try=int(ctx.get("job_try", 1)))


def worker_settings(settings: Settings) -> dict[str, Any]:
    provisioning = settings.provisioning

    async def on_startup(ctx: Context) -> None:
        stack = contextlib.AsyncExitStack()
        ctx["stack"] = stack
        ctx["engine"] = create_engine(settings.database_url, pool_size=settings.database_pool_size)
        stack.push_async_callback(ctx["engine"].dispose)
        ctx["session_factory"] = create_session_factory(ctx["engine"])
        providers = await stack.enter_async_context(open_providers(settings))
        ctx["provisioning"] = ProvisioningContext(
            settings=provisioning,
            store=RunStore(ctx["session_factory"], on_state_change=StatusPublisher(ctx["redis"])),
            providers=providers,
            redis=ctx["redis"],
        )

    async def on_shutdown(ctx: Context) -> None:
        await ctx["stack"].aclose()

    options: dict[str, Any] = {
        "functions": [
            func(
                provision_order,
                name=PROVISION_ORDER_JOB,
                timeout=provisioning.job_timeout_s,
                max_tries=provisioning.max_tries,
                keep_result=provisioning.keep_result_s,
            )
        ],
        "cron_jobs": [
            cron(purge_expired_idempotency_records, minute={7}, run_at_startup=True),
            cron(resume_stalled_provisioning, second={30}, run_at_startup=True),
        ],
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "health_check_interval": 15,
        "job_timeout": provisioning.job_timeout_s,
        "max_tries": provisioning.max_tries,
        "max_jobs": provisioning.max_jobs,
        "poll_delay": POLL_DELAY_S,
    }
    if not settings.uses_fake_redis:  # the embedded worker is handed its queue instead
        options["redis_settings"] = RedisSettings.from_dsn(settings.redis_url)
    return options


def run_worker(settings: Settings) -> None:
    configure_logging(level=settings.log_level, json_lines=settings.json_logs)
    run_arq_worker(worker_settings(settings))


def check_worker_health(settings: Settings) -> int:
    return int(check_health(worker_settings(settings)))
