"""`GET /api/orders/{id}/events`: the order's status changes as server-sent events.

The first event is the order's current status (unless the client resumes with
``Last-Event-ID``); then each status change the worker publishes (see
:mod:`bff.provisioning.status_events`), until a final status (`active`, `failed`,
`cancelled`), after which the stream closes. A stream also closes after
``MAX_STREAM_S``; the client reconnects with ``Last-Event-ID`` and misses nothing.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator

from sse_starlette import ServerSentEvent

from bff.auth.dependencies import Customer
from bff.core.state import AppState
from bff.orders.service import get_order
from bff.provisioning.status_events import (
    StatusEvent,
    latest_id,
    read_after,
    status_redis,
)
from domain.orders.contract import FINAL_ORDER_STATUSES, Order

POLL_S = 0.5
MAX_STREAM_S = 300.0
_STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")


def _sse(event: StatusEvent) -> ServerSentEvent:
    return ServerSentEvent(id=event.id, event="status", data=json.dumps(event.data()))


def _current(order: Order, event_id: str) -> StatusEvent:
    detail = order.timeline[-1].detail if order.timeline else None
    return StatusEvent(id=event_id, status=order.status, at=order.updated_at, detail=detail)


async def order_events(
    state: AppState, customer: Customer, *, order_id: str, last_event_id: str | None
) -> AsyncIterator[ServerSentEvent]:
    """Checks ownership first (404 before any byte is streamed), then returns the events."""
    order = await get_order(state, customer, order_id=order_id)
    redis = status_redis(state.settings, state.redis)
    resumed = last_event_id if last_event_id and _STREAM_ID.match(last_event_id) else None

    async def events() -> AsyncIterator[ServerSentEvent]:
        after = resumed
        if after is None:
            after = await latest_id(redis, order.id)
            yield _sse(_current(order, after))
            if order.status in FINAL_ORDER_STATUSES:
                return
        elif order.status in FINAL_ORDER_STATUSES:
            # The outcome is known: what is stored after the client's id, then the outcome
            # itself unless the stored events reached it (they may have expired meanwhile).
            for event in await read_after(redis, order.id, after):
                yield _sse(event)
                after = event.id
                if event.status in FINAL_ORDER_STATUSES:
                    return
            yield _sse(_current(order, after))
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_STREAM_S
        while loop.time() < deadline:
            for event in await read_after(redis, order.id, after):
                yield _sse(event)
                after = event.id
                if event.status in FINAL_ORDER_STATUSES:
                    return
            await asyncio.sleep(POLL_S)

    return events()
