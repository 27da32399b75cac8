"""The seam between the event consumer and the provisioning worker.

The consumer (and the reconciliation sweep) enqueue ``provision_order`` with one argument,
``ProvisionOrderJob.to_payload()``, and the job id ``provision_job_id(order_id)``: a
redelivered event, a second consumer or a sweep then finds the queued/running job (arq
returns ``None``) instead of adding another. arq forgets a job id once its result expires
(``keep_result``), so the worker itself must still be idempotent per Salesforce Order.

The worker registers::

    async def provision_order(ctx, payload: dict[str, object]) -> ...:
        job = ProvisionOrderJob.from_payload(payload)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from arq.connections import ArqRedis

from domain.orders.contract import ProvisionRequest

__all__ = [
    "PROVISION_ORDER_JOB",
    "ProvisionOrderJob",
    "enqueue_provision_order",
    "provision_job_id",
]

PROVISION_ORDER_JOB = "provision_order"

JobSource = Literal["event", "sweep"]


def provision_job_id(order_id: str) -> str:
    """One id per Salesforce Order (18-char ids are case-insensitive-safe as given)."""
    return f"{PROVISION_ORDER_JOB}:{order_id}"


@dataclass(frozen=True, slots=True)
class ProvisionOrderJob:
    order_id: str  # Salesforce Order Id
    account_id: str | None  # Salesforce Account Id, when the event carried it
    requested_at: dt.datetime  # when the org published the request (aware, UTC)
    source: JobSource  # "event" (Pub/Sub) or "sweep" (reconciliation after a gap)
    event_id: str | None = None  # the platform event's EventUuid, for tracing
    # Set when re-enqueued to resume a stalled run: the run's attempts so far. Not part of
    # the payload; it only makes the job id new once per stall.
    resume_after_attempts: int | None = None

    @property
    def job_id(self) -> str:
        base = provision_job_id(self.order_id)
        if self.resume_after_attempts is None:
            return base
        return f"{base}:resume:{self.resume_after_attempts}"

    @classmethod
    def from_request(
        cls, request: ProvisionRequest, *, source: JobSource, event_id: str | None = None
    ) -> ProvisionOrderJob:
        return cls(
            order_id=request.order_id,
            account_id=request.account_id,
            requested_at=request.requested_at,
            source=source,
            event_id=event_id,
        )

    def to_payload(self) -> dict[str, str | None]:
        """Plain JSON-able values: the queue must not depend on pickling our classes."""
        return {
            "order_id": self.order_id,
            "account_id": self.account_id,
            "requested_at": self.requested_at.isoformat(),
            "source": self.source,
            "event_id": self.event_id,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, object]) -> ProvisionOrderJob:
        source = payload.get("source")
        account, event = payload.get("account_id"), payload.get("event_id")
        return cls(
            order_id=str(payload["order_id"]),
            account_id=account if isinstance(account, str) else None,
            requested_at=dt.datetime.fromisoformat(str(payload["requested_at"])),
            source="sweep" if source == "sweep" else "event",
            event_id=event if isinstance(event, str) else None,
        )


async def enqueue_provision_order(queue: ArqRedis, job: ProvisionOrderJob) -> bool:
    """Enqueue once per order (once per stall for a resume); False when arq already knows
    that job id."""
    enqueued = await queue.enqueue_job(PROVISION_ORDER_JOB, job.to_payload(), _job_id=job.job_id)
    return enqueued is not None
