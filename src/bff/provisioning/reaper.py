"""Resume runs that stopped half-way: the worker's safety net for lost jobs.

arq does not retry a try that hit its timeout, and drops a job whose tries were all used
(for example by repeated worker kills); the Salesforce Order is then ``Provisioning``, so
the consumer's sweep (Orders still ``Approved``) would not find it either. Every minute the
worker re-enqueues each unfinished run untouched for longer than any live job could leave
it (longest retry delay + job timeout + the in-progress key's 10 s + a minute), and each
failed run whose reason could not yet be written to Salesforce. The job id
names the run's attempt count, so one stall enqueues one job; the per-order lock and the
persisted steps keep a rerun harmless even if the original job was only slow.
"""

from __future__ import annotations

import datetime as dt

import structlog
from arq.connections import ArqRedis
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bff.core.db import utcnow
from bff.events.jobs import PROVISION_ORDER_JOB, ProvisionOrderJob, provision_job_id
from bff.provisioning.models import FINAL_RUN_STATES, ProvisioningRun, RunState
from bff.settings import ProvisioningSettings

log = structlog.get_logger("bff.provisioning")

_BATCH = 200


def stall_after(settings: ProvisioningSettings) -> dt.timedelta:
    return dt.timedelta(seconds=settings.retry_max_s + settings.job_timeout_s + 10 + 60)


async def resume_stalled(
    session_factory: async_sessionmaker[AsyncSession],
    queue: ArqRedis,
    settings: ProvisioningSettings,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Enqueue a try for each stalled run; returns how many were enqueued."""
    cutoff = (now or utcnow()) - stall_after(settings)
    async with session_factory() as session:
        rows = (
            await session.scalars(
                select(ProvisioningRun)
                .where(
                    or_(
                        ProvisioningRun.state.not_in([s.value for s in FINAL_RUN_STATES]),
                        # failed, but Salesforce could not be told before the tries ran out
                        and_(
                            ProvisioningRun.state == RunState.FAILED.value,
                            ProvisioningRun.failure_reported.is_(False),
                        ),
                    ),
                    ProvisioningRun.updated_at < cutoff,
                )
                .order_by(ProvisioningRun.updated_at)
                .limit(_BATCH)
            )
        ).all()
    enqueued = 0
    for run in rows:
        job = ProvisionOrderJob(
            order_id=run.order_id,
            account_id=run.account_id,
            requested_at=run.created_at,
            source="sweep",
        )
        job_id = f"{provision_job_id(run.order_id)}:resume:{run.attempts}"
        if await queue.enqueue_job(PROVISION_ORDER_JOB, job.to_payload(), _job_id=job_id):
            enqueued += 1
            log.warning("provisioning.resumed", order_id=run.order_id, state=run.state)
    return enqueued
