"""Reconciliation sweep: after a gap in the event stream (stored replay id expired), find
the Orders the org approved and enqueue them; the job id dedupes what is already queued.

``Approved`` is the status the org's flow waits in until provisioning moves the Order on
(Activated or Failed), so every Approved Order is one not yet provisioned or in progress;
re-enqueueing one in progress is harmless (same job id, idempotent worker).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bff.core.db import utcnow
from bff.events.jobs import ProvisionOrderJob
from integrations.salesforce import SalesforceRestClient, soql

__all__ = ["Sweep", "approved_orders_sweep"]

Sweep = Callable[[], Awaitable[Sequence[ProvisionOrderJob]]]


def approved_orders_sweep(salesforce: SalesforceRestClient) -> Sweep:
    async def sweep() -> Sequence[ProvisionOrderJob]:
        answer = await salesforce.query(
            soql("SELECT Id, AccountId FROM Order WHERE Status = :status", status="Approved")
        )
        now = utcnow()
        return [
            ProvisionOrderJob(
                order_id=str(record["Id"]),
                account_id=record.get("AccountId"),
                requested_at=now,
                source="sweep",
            )
            for record in answer["records"]
        ]

    return sweep
