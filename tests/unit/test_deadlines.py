"""One shared timer per loop for request deadlines: expiry, disarming, outside cancels."""

from __future__ import annotations

import asyncio

from bff.core import deadlines
from bff.core.deadlines import DeadlineQueue


async def _guarded(budget_s: float, work_s: float) -> tuple[str, bool]:
    deadline = deadlines.arm(budget_s)
    try:
        try:
            await asyncio.sleep(work_s)
        finally:
            timed_out = deadline.finish()
    except asyncio.CancelledError:
        if not timed_out:
            raise
        return "timed out", timed_out
    return "done", timed_out


async def test_an_expired_deadline_cancels_only_its_task() -> None:
    slow = asyncio.create_task(_guarded(0.02, 5))
    quick = asyncio.create_task(_guarded(0.02, 0))
    assert await quick == ("done", False)
    assert await slow == ("timed out", True)
    assert slow.cancelling() == 0  # the deadline's cancel was balanced


async def test_a_finished_deadline_never_fires() -> None:
    async def body() -> int:
        assert await _guarded(0.01, 0) == ("done", False)
        await asyncio.sleep(0.05)  # well past the disarmed deadline
        task = asyncio.current_task()
        assert task is not None
        return task.cancelling()

    assert await asyncio.create_task(body()) == 0


async def test_an_outside_cancel_is_not_a_timeout() -> None:
    task = asyncio.create_task(_guarded(5, 5))
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.wait({task})
    assert task.cancelled()  # re-raised, not turned into "timed out"


async def test_finished_deadlines_behind_a_slow_one_are_dropped() -> None:
    queue = DeadlineQueue(asyncio.get_running_loop(), 60)
    slow = queue.arm()
    for _ in range(10_000):
        queue.arm().finish()
    assert len(queue._pending) < 5_000  # compacted, though the slow head still waits
    assert slow.armed
    slow.finish()
    queue.arm().finish()
    assert len(queue._pending) <= 1
