"""The arq worker inside another process: `bff dev` (long-running) and tests (burst).

On the embedded default the queue lives on the process-wide fake Redis server
(:func:`bff.events.runtime.embedded_queue_server`), shared with the in-process consumer.
arq's start-up line reads ``INFO server``, which fakeredis does not implement; that one
call is replaced there (and only there) by a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import arq.worker
from arq.connections import ArqRedis
from arq.worker import Worker

from bff.events.runtime import create_job_queue
from bff.settings import Settings
from bff.worker.main import worker_settings


async def _no_redis_info(_redis: object, _log: Callable[[str], Any]) -> None:
    return None


def build_worker(settings: Settings, queue: ArqRedis, *, burst: bool = False) -> Worker:
    if settings.uses_fake_redis:
        setattr(arq.worker, "log_redis_info", _no_redis_info)  # noqa: B010 - see module doc
    options = worker_settings(settings)
    options.pop("redis_settings", None)
    if burst:
        options["cron_jobs"] = []
        options["poll_delay"] = 0.05
    return Worker(**options, redis_pool=queue, burst=burst, handle_signals=False)


@contextlib.asynccontextmanager
async def running_worker(settings: Settings) -> AsyncIterator[Worker]:
    """A worker polling the queue until the block exits (`bff dev`)."""
    queue = create_job_queue(settings)
    worker = build_worker(settings, queue)
    task = asyncio.create_task(worker.async_run(), name="bff-worker")
    try:
        yield worker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await worker.close()
