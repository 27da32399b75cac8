"""Reconciliation sweep: after a gap in the event stream (stored replay id expired), find
the Orders that still wait for provisioning and enqueue what each needs.

An Order waits while it is ``Approved`` (the org's flow published the request) or
``Provisioning`` (a worker started on it) in the CRM. Its ``provisioning_runs`` row says
what to do:

- no run yet: enqueue its job (the job id dedupes what is already queued);
- ``done``, or ``failed`` and written to Salesforce: nothing (the CRM catches up on its own
  or was told);
- unfinished, or failed but not yet written to Salesforce: only once stalled, and then as
  the worker's stalled-run cron does it (:mod:`bff.provisioning.reaper`: same rule, same
  job id, so the two never add two jobs for one stall); a run still moving is left to its
  job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bff.core.db import utcnow
from bff.events.jobs import ProvisionOrderJob
from bff.provisioning.reaper import needs_resuming, resume_job, stall_after
from bff.provisioning.store import RunStore
from bff.settings import ProvisioningSettings
from domain.common.wire.salesforce import query_records
from integrations.salesforce import SalesforceRestClient, soql

__all__ = ["WAITING_STATUSES", "Sweep", "approved_orders_sweep"]

Sweep = Callable[[], Awaitable[Sequence[ProvisionOrderJob]]]

WAITING_STATUSES = ("Approved", "Provisioning")


def approved_orders_sweep(
    salesforce: SalesforceRestClient, runs: RunStore, settings: ProvisioningSettings
) -> Sweep:
    async def sweep() -> Sequence[ProvisionOrderJob]:
        answer = await salesforce.query(
            soql(
                "SELECT Id, AccountId FROM Order WHERE Status IN :statuses",
                statuses=WAITING_STATUSES,
            )
        )
        records = query_records(answer)
        known = await runs.for_orders([str(record["Id"]) for record in records])
        now = utcnow()
        cutoff = now - stall_after(settings)
        jobs = []
        for record in records:
            run = known.get(str(record["Id"]))
            if run is None:
                jobs.append(
                    ProvisionOrderJob(
                        order_id=str(record["Id"]),
                        account_id=record.get("AccountId"),
                        requested_at=now,
                        source="sweep",
                    )
                )
            elif needs_resuming(run, cutoff=cutoff):
                jobs.append(resume_job(run))
            # else: finished (done, or failed and reported), or a live job is on it
        return jobs

    return sweep
