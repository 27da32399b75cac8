"""Request deadlines from one shared timer per event loop instead of one per request.

`asyncio.timeout` arms and disarms a loop timer for every request. Every request here has
the same budget, so deadlines arrive in the order requests start: a FIFO queue is already
sorted, and a single timer aimed at the oldest pending deadline serves them all. Arming a
deadline is an append; disarming sets a flag that the timer skips when it gets there.

An expired deadline cancels its task, as `asyncio.timeout` does; `Deadline.timed_out`
tells that cancellation apart from one coming from outside (server shutdown, client gone)
and balances the task's cancel count, so the caller can turn it into a 504.
"""

from __future__ import annotations

import asyncio
from collections import deque

_COMPACT_MIN = 4096


class Deadline:
    __slots__ = ("armed", "at", "expired", "task")

    def __init__(self, at: float, task: asyncio.Task[object]) -> None:
        self.at = at
        self.task = task
        self.armed = True
        self.expired = False

    def disarm(self) -> None:
        self.armed = False

    def finish(self) -> bool:
        """Disarm once the guarded work ended; True when this deadline cancelled it and no
        one else did (the task's cancel count is balanced either way)."""
        self.armed = False
        return self.expired and self.task.uncancel() == 0


class DeadlineQueue:
    """Deadlines of one event loop, all `budget_s` long; one timer for the oldest."""

    def __init__(self, loop: asyncio.AbstractEventLoop, budget_s: float) -> None:
        self._loop = loop
        self._budget_s = budget_s
        self._pending: deque[Deadline] = deque()
        self._timer: asyncio.TimerHandle | None = None
        self._compact_at = _COMPACT_MIN

    def arm(self) -> Deadline:
        task = asyncio.current_task(self._loop)
        if task is None:
            raise RuntimeError("a request deadline needs a running task")
        deadline = Deadline(self._loop.time() + self._budget_s, task)
        pending = self._pending
        while pending and not pending[0].armed:  # finished requests: amortised O(1)
            pending.popleft()
        if len(pending) >= self._compact_at:  # one slow request holds the head: drop the
            # finished ones behind it (amortised O(1): the threshold doubles with the live)
            pending = self._pending = deque(d for d in pending if d.armed)
            self._compact_at = max(_COMPACT_MIN, 2 * len(pending))
        pending.append(deadline)
        if self._timer is None:
            self._timer = self._loop.call_at(deadline.at, self._expire)
        return deadline

    def _expire(self) -> None:
        self._timer = None
        now = self._loop.time()
        pending = self._pending
        while pending:
            head = pending[0]
            if head.armed and head.at > now:
                self._timer = self._loop.call_at(head.at, self._expire)
                return
            pending.popleft()
            if head.armed:
                head.armed = False
                head.expired = True
                head.task.cancel()


_queues: dict[tuple[asyncio.AbstractEventLoop, float], DeadlineQueue] = {}


def arm(budget_s: float) -> Deadline:
    """A deadline `budget_s` from now for the current task; `disarm()` it when done."""
    loop = asyncio.get_running_loop()
    queue = _queues.get((loop, budget_s))
    if queue is None:
        if len(_queues) > 16:  # loops of finished tests or runs: drop the closed ones
            for key in [key for key in _queues if key[0].is_closed()]:
                del _queues[key]
        queue = _queues[(loop, budget_s)] = DeadlineQueue(loop, budget_s)
    return queue.arm()
