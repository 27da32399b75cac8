"""Orders run on the customer-feature setup: the app against the three sandboxes.

The sandboxes restart from their seed before each test and reuse Order ids, so each test
also starts with no provisioning runs or status streams (they would describe a reused id).
"""

import pytest_asyncio
from sqlalchemy import delete

from bff.core.state import AppState
from bff.provisioning.models import ProvisioningRun
from bff.provisioning.status_events import STREAM_PREFIX, status_redis
from tests.api.features.conftest import *  # noqa: F403
from tests.api.features.conftest import _customers, _fresh_state  # noqa: F401


@pytest_asyncio.fixture(autouse=True)
async def _no_runs(app_state: AppState) -> None:
    async with app_state.session_factory() as session, session.begin():
        await session.execute(delete(ProvisioningRun))
    redis = status_redis(app_state.settings, app_state.redis)
    keys = [key async for key in redis.scan_iter(match=STREAM_PREFIX + "*", count=500)]
    if keys:
        await redis.delete(*keys)
