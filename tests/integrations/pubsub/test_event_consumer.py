"""`bff events` against the Salesforce sandbox, the suite's database and Redis (DB 12 on
the real-services pass): enqueue then store the cursor, resume after a restart, fall back
and sweep when the stored id expired, one active consumer, duplicates -> one job."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bff.events.consumer import EventConsumer
from bff.events.cursors import CursorStore
from bff.events.jobs import PROVISION_ORDER_JOB, ProvisionOrderJob, provision_job_id
from bff.events.lease import Lease
from bff.events.sweep import approved_orders_sweep
from bff.provisioning.store import RunStore
from bff.settings import ProvisioningSettings
from integrations.salesforce import SalesforceClient
from integrations.salesforce.pubsub import PubSubClient
from integrations.sandbox import SandboxUrls
from tests.integrations.pubsub.conftest import pubsub_config
from tests.integrations.pubsub.helpers import TOPIC, PubSubControl, eventually

Factory = async_sessionmaker[AsyncSession]


async def queued_jobs(queue: ArqRedis) -> dict[str, ProvisionOrderJob]:
    """Queued provision jobs by job id."""
    jobs = {}
    for job in await queue.queued_jobs():
        assert job.function == PROVISION_ORDER_JOB
        jobs[job.job_id] = ProvisionOrderJob.from_payload(job.args[0])
    return jobs


@pytest.fixture
def make_consumer(
    sandboxes: SandboxUrls,
    salesforce: SalesforceClient,
    queue: ArqRedis,
    session_factory: Factory,
) -> Callable[..., contextlib.AbstractAsyncContextManager[EventConsumer]]:
    @contextlib.asynccontextmanager
    async def running(
        *,
        lease_ttl_s: float = 3.0,
        lease_renew_s: float = 0.2,
        cursors: CursorStore | None = None,
    ) -> AsyncIterator[EventConsumer]:
        async with PubSubClient(pubsub_config(sandboxes), salesforce.tokens) as pubsub:
            consumer = EventConsumer(
                pubsub=pubsub,
                queue=queue,
                cursors=cursors or CursorStore(session_factory),
                lease=Lease(queue, "events:test", ttl_s=lease_ttl_s),
                sweep=approved_orders_sweep(
                    salesforce, RunStore(session_factory), ProvisioningSettings()
                ),
                topic=TOPIC,
                lease_renew_s=lease_renew_s,
            )
            task = asyncio.create_task(consumer.run())
            try:
                yield consumer
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return running


async def stored_cursor(session_factory: Factory) -> bytes | None:
    return await CursorStore(session_factory).load(TOPIC)


async def test_an_approved_order_becomes_one_job_then_the_cursor_moves(
    make_consumer: Any, org: PubSubControl, queue: ArqRedis, session_factory: Factory
) -> None:
    async with make_consumer() as consumer:
        await eventually(consumer.active.is_set)
        [order_id] = await org.approve_new_orders(1)
        await eventually(lambda: consumer.stats.enqueued == 1)
        jobs = await queued_jobs(queue)
        assert list(jobs) == [provision_job_id(order_id)]
        job = jobs[provision_job_id(order_id)]
        assert (job.order_id, job.source) == (order_id, "event")
        assert job.event_id
        status = await org.status()
        events = status["events"]
        assert isinstance(events, list)
        await eventually(lambda: _cursor_is(session_factory, bytes.fromhex(events[-1]["replayId"])))


async def _has_cursor(session_factory: Factory) -> bool:
    return await stored_cursor(session_factory) is not None


async def _cursor_is(session_factory: Factory, expected: bytes) -> bool:
    return await stored_cursor(session_factory) == expected


async def test_a_restarted_consumer_resumes_after_the_stored_replay_id(
    make_consumer: Any, org: PubSubControl, queue: ArqRedis, session_factory: Factory
) -> None:
    async with make_consumer() as first:
        await eventually(first.active.is_set)
        early = await org.approve_new_orders(2)
        latest = bytes.fromhex(str((await org.status())["latestReplayId"]))
        await eventually(lambda: _cursor_is(session_factory, latest))
    # Stopped mid-stream; more orders are approved while no consumer runs.
    late = await org.approve_new_orders(3)
    async with make_consumer() as second:
        await eventually(lambda: second.stats.events == 3)
        await asyncio.sleep(0.3)  # nothing else arrives: it resumed after the stored id
        assert second.stats.events == 3
        assert second.stats.fallbacks == 0
    assert set(await queued_jobs(queue)) == {provision_job_id(o) for o in early + late}


async def test_an_expired_cursor_falls_back_to_earliest_and_sweeps_missed_orders(
    make_consumer: Any, org: PubSubControl, queue: ArqRedis, session_factory: Factory
) -> None:
    async with make_consumer() as first:
        await eventually(first.active.is_set)
        seen = await org.approve_new_orders(1)
        await eventually(lambda: first.stats.enqueued == 1)
        # Stopped only once the cursor is stored (right after the enqueue): without it the
        # second consumer would start from EARLIEST and never see its id rejected.
        await eventually(lambda: _has_cursor(session_factory))
    missed = await org.approve_new_orders(2)  # approved while the consumer is down...
    await org.expire_all()  # ...and their events (and the stored id) fall out of retention
    async with make_consumer() as second:
        await eventually(lambda: second.stats.fallbacks == 1)
        await eventually(lambda: second.stats.swept >= 3)
        after_fallback = await org.approve_new_orders(1)  # EARLIEST stream is live
        await eventually(lambda: second.stats.events == 1)
    jobs = await queued_jobs(queue)
    for order_id in seen + missed + after_fallback:
        assert provision_job_id(order_id) in jobs
    assert {jobs[provision_job_id(o)].source for o in missed} == {"sweep"}
    assert await stored_cursor(session_factory) is not None


async def test_redelivered_events_make_one_job_per_order(
    make_consumer: Any, org: PubSubControl, queue: ArqRedis
) -> None:
    async with make_consumer() as consumer:
        await eventually(consumer.active.is_set)
        orders = await org.approve_new_orders(2)
        await eventually(lambda: consumer.stats.events == 2)
        # The same events again (x2), as after a Salesforce-side redelivery.
        for _ in range(2):
            await org.redeliver(b"\x00" * 8)
            await asyncio.sleep(0.2)
        await eventually(lambda: consumer.stats.events == 6)
        assert consumer.stats.enqueued == 2
        assert consumer.stats.duplicates == 4
    assert set(await queued_jobs(queue)) == {provision_job_id(o) for o in orders}


async def test_only_one_of_two_consumers_is_active_and_the_other_takes_over(
    make_consumer: Any, org: PubSubControl, queue: ArqRedis, session_factory: Factory
) -> None:
    async with contextlib.AsyncExitStack() as first_process:
        active = await first_process.enter_async_context(make_consumer())
        await eventually(active.active.is_set)
        async with make_consumer() as standby:
            for _ in range(10):  # the second instance waits; it never consumes meanwhile
                assert active.active.is_set()
                assert not standby.active.is_set()
                await asyncio.sleep(0.05)
            first = await org.approve_new_orders(2)
            latest = bytes.fromhex(str((await org.status())["latestReplayId"]))
            await eventually(lambda: _cursor_is(session_factory, latest))
            assert (active.stats.events, standby.stats.events) == (2, 0)
            await first_process.aclose()  # the active instance goes away
            await eventually(standby.active.is_set, within=5)
            later = await org.approve_new_orders(1)
            await eventually(lambda: standby.stats.events == 1)  # resumed after the cursor
            await asyncio.sleep(0.2)
            assert standby.stats.events == 1
    assert set(await queued_jobs(queue)) == {provision_job_id(o) for o in first + later}


async def test_a_fenced_out_consumer_cannot_move_the_cursor(session_factory: Factory) -> None:
    cursors = CursorStore(session_factory)
    assert await cursors.save(TOPIC, b"\x00" * 7 + b"\x05", fence=2)
    assert not await cursors.save(TOPIC, b"\x00" * 7 + b"\x09", fence=1)  # older holder
    assert await cursors.load(TOPIC) == b"\x00" * 7 + b"\x05"
    assert await cursors.save(TOPIC, b"\x00" * 7 + b"\x06", fence=3)


async def test_the_lease_has_one_holder_and_fences_increase(queue: ArqRedis) -> None:
    a, b = Lease(queue, "t", ttl_s=1.0), Lease(queue, "t", ttl_s=1.0)
    assert await a.acquire()
    assert not await b.acquire()
    assert await a.renew()
    await asyncio.sleep(1.1)  # a stopped renewing: its lease lapses
    assert await b.acquire()
    assert b.fence > a.fence
    assert not await a.renew()  # a learns it lost the lease
    await b.release()
    assert await a.acquire()


class CursorWriteFailsOnce(CursorStore):
    """The database fails right after the job was enqueued (a crash in between)."""

    failed = False

    async def save(self, topic: str, replay_id: bytes, *, fence: int) -> bool:
        if not self.failed:
            self.failed = True
            raise ConnectionError("database went away")
        return await super().save(topic, replay_id, fence=fence)


async def test_a_failure_between_enqueue_and_cursor_redelivers_into_the_same_job(
    make_consumer: Any, org: PubSubControl, queue: ArqRedis, session_factory: Factory
) -> None:
    cursors = CursorWriteFailsOnce(session_factory)
    async with make_consumer(cursors=cursors) as consumer:
        await eventually(consumer.active.is_set)
        [order_id] = await org.approve_new_orders(1)
        # Enqueued, cursor write failed, consumer restarted from the old cursor, saw the
        # event again: the job id turned the second enqueue into nothing.
        await eventually(lambda: consumer.stats.events == 2)
        latest = bytes.fromhex(str((await org.status())["latestReplayId"]))
        await eventually(lambda: _cursor_is(session_factory, latest))
        assert (consumer.stats.enqueued, consumer.stats.duplicates) == (1, 1)
    assert list(await queued_jobs(queue)) == [provision_job_id(order_id)]
