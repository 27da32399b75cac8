"""Provisioning against the three sandboxes and the suite's database and Redis.

The sandboxes restart from their seed before each test and reuse record ids, so each
test also starts with no provisioning runs, locks or arq jobs of this suite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from arq.connections import ArqRedis
from sqlalchemy import delete

from bff.core.state import AppState
from bff.events.runtime import create_job_queue
from bff.provisioning.models import ProvisioningRun
from bff.settings import Settings
from tests.api.features.conftest import *  # noqa: F403
from tests.api.features.conftest import _customers, _fresh_state  # noqa: F401


@pytest_asyncio.fixture
async def queue(feature_settings: Settings) -> AsyncIterator[ArqRedis]:
    queue = create_job_queue(feature_settings)
    yield queue
    await queue.aclose()


@pytest_asyncio.fixture(autouse=True)
async def _no_runs(app_state: AppState, queue: ArqRedis) -> None:
    async with app_state.session_factory() as session, session.begin():
        await session.execute(delete(ProvisioningRun))
    for redis in (app_state.redis, queue):
        keys = [k async for k in redis.scan_iter(match="*provision*", count=500)]
        keys += [k async for k in redis.scan_iter(match="bff:orders:status:*", count=500)]
        if keys:
            await redis.delete(*keys)
        # The same jobs' queue entries (provision_order and the stalled-run cron): an entry
        # whose job key was just deleted would run as "expired", i.e. a failed job.
        members = await redis.zrange("arq:queue", 0, -1)
        stale = [m for m in members if b"provision" in m]
        if stale:
            await redis.zrem("arq:queue", *stale)
