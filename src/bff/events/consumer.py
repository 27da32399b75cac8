"""The event consumer loop: lease -> subscribe -> enqueue -> store replay id.

Ordering per event is enqueue THEN store: a crash between the two redelivers the event on
restart (at-least-once), and the deterministic job id turns that into no new job. Just
before enqueueing, the order's status stream gets its ``approved`` entry (for
`GET /api/orders/{id}/events`), unless the stream already exists.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import structlog
from arq.connections import ArqRedis

from bff.events.cursors import CursorStore
from bff.events.jobs import ProvisionOrderJob, enqueue_provision_order
from bff.events.lease import Lease
from bff.events.sweep import Sweep
from bff.provisioning.status_events import publish_approved
from domain.common.errors import DomainError
from domain.orders.providers.salesforce import provision_request_from_salesforce_event
from integrations.salesforce.pubsub import (
    KeepAlive,
    PubSubClient,
    ReceivedEvent,
    ReplayIdRejected,
    ReplayStart,
)

__all__ = ["ConsumerStats", "EventConsumer", "LeaseLost"]

log = structlog.get_logger("bff.events")


class LeaseLost(Exception):
    """Another consumer holds the topic now; stop consuming at once."""


@dataclass
class ConsumerStats:
    events: int = 0
    enqueued: int = 0
    duplicates: int = 0
    undecodable: int = 0
    keepalives: int = 0
    fallbacks: int = 0  # stored replay id rejected -> EARLIEST + sweep
    swept: int = 0


class EventConsumer:
    def __init__(
        self,
        *,
        pubsub: PubSubClient,
        queue: ArqRedis,
        cursors: CursorStore,
        lease: Lease,
        sweep: Sweep,
        topic: str,
        lease_renew_s: float,
    ) -> None:
        self._pubsub = pubsub
        self._queue = queue
        self._cursors = cursors
        self._lease = lease
        self._sweep = sweep
        self._topic = topic
        self._renew_s = lease_renew_s
        self.stats = ConsumerStats()
        self.active = asyncio.Event()  # set while this instance holds the lease

    async def run(self) -> None:
        """Wait for the lease, consume while holding it, and start over when it is lost.

        Any other failure (Redis or the database down, Salesforce refusing) is logged and
        retried after a pause: the consumer outlives outages instead of exiting.
        """
        while True:
            try:
                await self._run_once()
            except Exception as error:
                log.error("events.consumer_failed", error=type(error).__name__)
                await asyncio.sleep(self._renew_s)

    async def _run_once(self) -> None:
        if not await self._lease.acquire():
            await asyncio.sleep(self._renew_s)
            return
        log.info("events.lease_acquired", topic=self._topic, fence=self._lease.fence)
        self.active.set()
        try:
            await self._consume_while_leased()
        except LeaseLost:
            log.warning("events.lease_lost", topic=self._topic)
        finally:
            self.active.clear()
            with contextlib.suppress(Exception):
                await self._lease.release()

    async def _consume_while_leased(self) -> None:
        consuming = asyncio.create_task(self.consume())
        try:
            while not consuming.done():
                done, _ = await asyncio.wait({consuming}, timeout=self._renew_s)
                if not done and not await self._lease.renew():
                    raise LeaseLost
            consuming.result()
        finally:
            consuming.cancel()
            with contextlib.suppress(asyncio.CancelledError, LeaseLost):
                await consuming

    async def consume(self) -> None:
        stored = await self._cursors.load(self._topic)
        start = ReplayStart.after(stored) if stored else ReplayStart.earliest()
        try:
            await self._consume_from(start)
        except ReplayIdRejected:
            # The stored id is past retention (or foreign): events may have been missed.
            self.stats.fallbacks += 1
            log.warning("events.replay_id_rejected", topic=self._topic, fallback="EARLIEST")
            await self._reconcile()
            await self._consume_from(ReplayStart.earliest())

    async def _reconcile(self) -> None:
        jobs = await self._sweep()
        for job in jobs:
            await self._enqueue(job)
        self.stats.swept += len(jobs)
        log.info("events.sweep_done", topic=self._topic, orders=len(jobs))

    async def _consume_from(self, start: ReplayStart) -> None:
        async for item in self._pubsub.subscribe(self._topic, start):
            if isinstance(item, ReceivedEvent):
                await self._handle(item)
            elif isinstance(item, KeepAlive):
                self.stats.keepalives += 1
            await self._store(item.replay_id)

    async def _handle(self, event: ReceivedEvent) -> None:
        self.stats.events += 1
        try:
            request = provision_request_from_salesforce_event(event.payload)
        except DomainError:
            # A malformed event cannot become valid by retrying; skip it, loudly.
            self.stats.undecodable += 1
            log.error("events.undecodable_event", event_id=event.event_id)
            return
        job = ProvisionOrderJob.from_request(request, source="event", event_id=event.event_id)
        await self._enqueue(job)

    async def _enqueue(self, job: ProvisionOrderJob) -> None:
        # Before the job exists, so the worker's own entries always come after it.
        await publish_approved(self._queue, job.order_id, at=job.requested_at)
        if await enqueue_provision_order(self._queue, job):
            self.stats.enqueued += 1
            log.info("events.job_enqueued", order_id=job.order_id, source=job.source)
        else:
            self.stats.duplicates += 1
            log.info("events.job_already_known", order_id=job.order_id, source=job.source)

    async def _store(self, replay_id: bytes) -> None:
        if not replay_id:
            return
        if not await self._cursors.save(self._topic, replay_id, fence=self._lease.fence):
            raise LeaseLost
