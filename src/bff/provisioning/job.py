"""The ``provision_order`` arq job: one try of the workflow under the per-order lock.

arq delivers at least once and may run the same order's job twice at the same time (a
redelivery while a slow try still runs, a second enqueue after the first result expired),
so each try takes a Redis lock per Salesforce Order first; a try that cannot get it is
deferred. Inside the lock the persisted run says which steps are done.

Retries: a transient failure raises arq ``Retry`` with exponential backoff (at least the
provider's Retry-After); on the last allowed try it ends the run in ``failed`` instead,
because arq would otherwise drop the job silently after ``max_tries``.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from arq.worker import Retry
from redis.asyncio import Redis
from redis.exceptions import LockError

from bff.core.providers import Providers
from bff.events.jobs import ProvisionOrderJob
from bff.provisioning.models import ProvisioningRun, RunState
from bff.provisioning.sim_lines import SimFields
from bff.provisioning.store import RunStore
from bff.provisioning.workflow import (
    REASON_UNAVAILABLE,
    NotProvisionable,
    PermanentFailure,
    TransientFailure,
    Workflow,
)
from bff.settings import ProvisioningSettings

log = structlog.get_logger("bff.provisioning")

LOCK_PREFIX = "bff:provisioning:lock:"
SKIPPED = "skipped"  # the CRM Order was not waiting for provisioning (draft, cancelled, ...)


@dataclass(frozen=True, slots=True)
class ProvisioningContext:
    settings: ProvisioningSettings
    store: RunStore
    providers: Providers
    redis: Redis

    @property
    def workflow(self) -> Workflow:
        return Workflow(
            store=self.store,
            providers=self.providers,
            tag_field_id=self.settings.order_tag_field_id,
            sim_fields=SimFields(
                msisdn=self.settings.msisdn_field_id, iccid=self.settings.iccid_field_id
            ),
        )


def retry_delay(settings: ProvisioningSettings, job_try: int, *, at_least: float = 0.0) -> float:
    """``retry_base_s`` doubled per try, capped at ``retry_max_s``, never below ``at_least``."""
    delay = min(settings.retry_max_s, settings.retry_base_s * 2.0 ** max(job_try - 1, 0))
    return max(delay, min(at_least, settings.retry_max_s))


async def provision(context: ProvisioningContext, job: ProvisionOrderJob, *, job_try: int) -> str:
    """One try for ``job``'s order; returns the run's state, or raises ``Retry``."""
    settings = context.settings
    lock = context.redis.lock(
        LOCK_PREFIX + job.order_id,
        timeout=settings.job_timeout_s + 10,
        blocking_timeout=settings.lock_wait_s,
    )
    if not await lock.acquire():
        log.info("provisioning.locked", order_id=job.order_id, job_try=job_try)
        raise Retry(defer=retry_delay(settings, 1))
    try:
        return await _provision_locked(context, job, job_try=job_try)
    finally:
        try:
            await lock.release()
        except LockError:  # expired meanwhile; the try outlived job_timeout_s + 10 s
            log.warning("provisioning.lock_lost", order_id=job.order_id)


async def _provision_locked(
    context: ProvisioningContext, job: ProvisionOrderJob, *, job_try: int
) -> str:
    store, workflow = context.store, context.workflow
    run = await store.begin_try(
        job.order_id, account_id=job.account_id, received_at=job.requested_at
    )
    if run.run_state is RunState.DONE:
        return run.state
    try:
        if run.run_state is RunState.FAILED:
            run = await workflow.report_failure(run)
        else:
            run = await workflow.advance(run)
            log.info("provisioning.done", order_id=job.order_id, attempts=run.attempts)
    except NotProvisionable as status:
        log.info("provisioning.skipped", order_id=job.order_id, crm_status=str(status))
        await store.forget(job.order_id, state=RunState.RECEIVED)
        return SKIPPED
    except PermanentFailure as failure:
        log.warning("provisioning.failed", order_id=job.order_id, reason=failure.reason)
        run = await _fail_or_retry(context, job, job_try, reason=failure.reason)
    except TransientFailure as failure:
        if job_try < context.settings.max_tries:
            delay = retry_delay(context.settings, job_try, at_least=failure.retry_after)
            log.info("provisioning.retry", order_id=job.order_id, job_try=job_try, defer=delay)
            raise Retry(defer=delay) from failure
        log.warning("provisioning.retries_exhausted", order_id=job.order_id, job_try=job_try)
        run = await _fail_or_retry(context, job, job_try, reason=REASON_UNAVAILABLE)
    return run.state


async def _fail_or_retry(
    context: ProvisioningContext, job: ProvisionOrderJob, job_try: int, *, reason: str
) -> ProvisioningRun:
    run = await context.store.get(job.order_id)
    assert run is not None
    try:
        if run.run_state is RunState.FAILED:
            return await context.workflow.report_failure(run)
        return await context.workflow.fail(run, reason)
    except TransientFailure as failure:
        # Failed locally; Salesforce could not be told yet: the next try reports it.
        if job_try < context.settings.max_tries:
            raise Retry(defer=retry_delay(context.settings, job_try)) from failure
        return (await context.store.get(job.order_id)) or run
