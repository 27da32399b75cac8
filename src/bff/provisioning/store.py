"""Reading and writing ``provisioning_runs``; every write commits at once.

Writes commit immediately on purpose: an external id must be durable before the next
external call, so that a worker killed right after cannot forget it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy import delete, select, update
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
        """The run, created (not yet tried) when there is none."""
        existing = await self.get(order_id)
        if existing is None:
            existing = await self._create(
                order_id, account_id=account_id, received_at=received_at, attempts=0
            )
        return existing or await self._stored(order_id)

    async def begin_try(
        self, order_id: str, *, account_id: str | None, received_at: dt.datetime | None = None
    ) -> ProvisioningRun:
        """The run for one more try: created with ``attempts`` 1 (one INSERT: the first try,
        the common case, reads nothing first), or the stored one with ``attempts`` + 1; a
        ``done`` run is returned as is."""
        created = await self._create(
            order_id, account_id=account_id, received_at=received_at, attempts=1
        )
        if created is not None:
            return created
        existing = await self._stored(order_id)
        if existing.run_state is RunState.DONE:
            return existing
        return await self.update(order_id, {"attempts": existing.attempts + 1})

    async def _stored(self, order_id: str) -> ProvisioningRun:
        found = await self.get(order_id)
        if found is None:
            raise LookupError(order_id)
        return found

    async def _create(
        self,
        order_id: str,
        *,
        account_id: str | None,
        received_at: dt.datetime | None,
        attempts: int,
    ) -> ProvisioningRun | None:
        """The new run, or None when it exists already."""
        now = utcnow()
        run = ProvisioningRun(
            order_id=order_id,
            state=RunState.RECEIVED.value,
            account_id=account_id,
            service_ids="",
            attempts=attempts,
            failure_reported=False,
            created_at=received_at or now,
            updated_at=now,
        )
        try:
            async with self._sessions() as session, session.begin():
                session.add(run)
        except IntegrityError:  # the run exists (an earlier try, or a concurrent create)
            return None
        return run

    async def update(self, order_id: str, values: Mapping[str, object]) -> ProvisioningRun:
        """Apply ``values`` and commit; returns the row as stored.

        One ``UPDATE ... RETURNING`` (it locks the row like the SELECT FOR UPDATE it
        replaces): a run makes seven of these, and the round trip and ORM flush saved on
        each showed in the provisioning benchmark (bench/README.md).
        """
        statement = (
            update(ProvisioningRun)
            .where(ProvisioningRun.order_id == order_id)
            .values({**values, "updated_at": utcnow()})
            .returning(ProvisioningRun)
        )
        async with self._sessions() as session, session.begin():
            run = await session.scalar(statement)
            if run is None:
                raise LookupError(order_id)
        if "state" in values and self._on_state_change is not None:
            await self._on_state_change(run)
        return run

    async def announce(self, run: ProvisioningRun) -> None:
        """Run the state-change hook for ``run``'s current state without a write (a state
        entered again, e.g. ``received`` once the CRM says provisioning started)."""
        if self._on_state_change is not None:
            await self._on_state_change(run)

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
