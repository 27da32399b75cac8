"""Reading and writing ``provisioning_runs``; every write commits at once.

Writes commit immediately on purpose: an external id must be durable before the next
external call, so that a worker killed right after cannot forget it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bff.core.db import utcnow
from bff.provisioning.models import ProvisioningRun, RunState

OnStateChange = Callable[[ProvisioningRun], Awaitable[None]]


class RunStore:
    """``on_state_change`` runs after each committed state change (status events)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        on_state_change: OnStateChange | None = None,
    ) -> None:
        self._sessions = session_factory
        self._on_state_change = on_state_change

    async def get(self, order_id: str) -> ProvisioningRun | None:
        async with self._sessions() as session:
            return await session.get(ProvisioningRun, order_id)

    async def get_or_create(
        self, order_id: str, *, account_id: str | None, received_at: dt.datetime | None = None
    ) -> ProvisioningRun:
        existing = await self.get(order_id)
        if existing is not None:
            return existing
        now = utcnow()
        run = ProvisioningRun(
            order_id=order_id,
            state=RunState.RECEIVED.value,
            account_id=account_id,
            service_ids="",
            attempts=0,
            failure_reported=False,
            created_at=received_at or now,
            updated_at=now,
        )
        try:
            async with self._sessions() as session, session.begin():
                session.add(run)
        except IntegrityError:  # created concurrently (only possible without the lock)
            found = await self.get(order_id)
            assert found is not None
            return found
        return run

    async def update(self, order_id: str, values: Mapping[str, object]) -> ProvisioningRun:
        """Apply ``values`` and commit; returns the row as stored."""
        async with self._sessions() as session, session.begin():
            run = await session.get(ProvisioningRun, order_id, with_for_update=True)
            if run is None:
                raise LookupError(order_id)
            for name, value in values.items():
                setattr(run, name, value)
            run.updated_at = utcnow()
        if "state" in values and self._on_state_change is not None:
            await self._on_state_change(run)
        return run

    async def forget(self, order_id: str, *, state: RunState) -> None:
        """Delete the run if it is still in ``state`` (a run that never did anything)."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(ProvisioningRun).where(
                    ProvisioningRun.order_id == order_id, ProvisioningRun.state == state.value
                )
            )

    async def for_orders(self, order_ids: list[str]) -> dict[str, ProvisioningRun]:
        if not order_ids:
            return {}
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ProvisioningRun).where(ProvisioningRun.order_id.in_(order_ids))
            )
            return {row.order_id: row for row in rows}
