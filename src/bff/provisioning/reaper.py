"""Resume runs that stopped half-way: the worker's safety net for lost jobs.

arq does not retry a try that hit its timeout, and drops a job whose tries were all used
(for example by repeated worker kills), and the consumer only sweeps after a gap in its
event stream. Every minute the worker re-enqueues each unfinished run untouched for longer
than any live job could leave it (longest retry delay + job timeout + the in-progress
key's 10 s + a minute), and each failed run whose reason could not yet be written to
Salesforce. The job id names the run's attempt count, so one stall enqueues one job (the
consumer's sweep uses the same rule and job id); the per-order lock and the persisted
steps keep a rerun harmless even if the original job was only slow.
"""

from __future__ import annotations

import datetime as dt

import structlog
from arq.connections import ArqRedis
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bff.core.db import utcnow
from bff.events.jobs import ProvisionOrderJob, enqueue_provision_order
from bff.provisioning.models import FINAL_RUN_STATES, ProvisioningRun, RunState
from bff.settings import ProvisioningSettings

log = structlog.get_logger("bff.provisioning")

_BATCH = 200


def stall_after(settings: ProvisioningSettings) -> dt.timedelta:
    return dt.timedelta(seconds=settings.retry_max_s + settings.job_timeout_s + 10 + 60)


def needs_resuming(run: ProvisioningRun, *, cutoff: dt.datetime) -> bool:
    """Unfinished (or failed but not yet told to Salesforce) and untouched since ``cutoff``."""
    unfinished = run.run_state not in FINAL_RUN_STATES or (
        run.run_state is RunState.FAILED and not run.failure_reported
    )
    return unfinished and run.updated_at < cutoff


def resume_job(run: ProvisioningRun) -> ProvisionOrderJob:
    """The job that resumes ``run``; its id names the attempts, so one stall -> one job."""
    return ProvisionOrderJob(
        order_id=run.order_id,
        account_id=run.account_id,
        requested_at=run.created_at,
        source="sweep",
        resume_after_attempts=run.attempts,
    )


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
        if await enqueue_provision_order(queue, resume_job(run)):
            enqueued += 1
            log.warning("provisioning.resumed", order_id=run.order_id, state=run.state)
    return enqueued
