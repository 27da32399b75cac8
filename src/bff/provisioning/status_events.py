"""Order status changes as a Redis stream per order, for `GET /api/orders/{id}/events`.

The worker appends one entry per provisioning state change (``XADD`` to
``bff:orders:status:<order id>``, capped at ~100 entries, expiring a day after the last
change); any API instance reads them, so the stream crosses processes. Entry ids are the
SSE event ids: a client reconnecting with ``Last-Event-ID`` continues after it. Readers
poll with a plain ``XREAD`` instead of ``BLOCK`` so an open stream does not hold one of
the shared pool's connections.

The first entry, ``approved``, comes from the event consumer: it appends it just before
it enqueues the order's job, and only to a stream that does not exist yet (so a
redelivered event adds nothing), hence always before the worker's ``provisioning``.

On the embedded default the worker's Redis is the process-wide fake server of the queue,
so the API reads the stream from that same server (:func:`status_redis`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bff.provisioning.models import ProvisioningRun, RunState
from bff.settings import Settings
from domain.orders.contract import OrderStatus

log = structlog.get_logger("bff.provisioning")

STREAM_PREFIX = "bff:orders:status:"
STREAM_MAXLEN = 100
STREAM_TTL_S = 86_400

_RUN_STATUS: dict[RunState, tuple[OrderStatus, str | None]] = {
    RunState.RECEIVED: (OrderStatus.PROVISIONING, "provisioning started"),
    RunState.WHMCS_ORDER_CREATED: (OrderStatus.PROVISIONING, "billing order placed"),
    RunState.ACCEPTED: (OrderStatus.PROVISIONING, "services created"),
    RunState.SIM_ACTIVATED: (OrderStatus.PROVISIONING, "SIM lines activated"),
    RunState.CRM_UPDATED: (OrderStatus.ACTIVE, None),
    RunState.DONE: (OrderStatus.ACTIVE, None),
    RunState.FAILED: (OrderStatus.FAILED, None),
}

_embedded: dict[str, Redis] = {}


@dataclass(frozen=True, slots=True)
class StatusEvent:
    id: str
    status: OrderStatus
    at: dt.datetime
    detail: str | None = None

    def data(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "at": self.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "detail": self.detail,
        }


def status_redis(settings: Settings, default: Redis) -> Redis:
    """Where status streams live: ``default`` (the app's Redis), or the embedded queue's."""
    if not settings.uses_fake_redis:
        return default
    if "client" not in _embedded:
        from fakeredis import FakeAsyncRedis

        from bff.events.runtime import embedded_queue_server

        _embedded["client"] = FakeAsyncRedis(server=embedded_queue_server())
    return _embedded["client"]


class StatusPublisher:
    """``RunStore`` change hook: one stream entry per state change (never raises)."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def __call__(self, run: ProvisioningRun) -> None:
        status, detail = _RUN_STATUS[run.run_state]
        if run.run_state is RunState.CRM_UPDATED:
            return  # `done` follows at once; one `active` event is enough
        if run.run_state is RunState.FAILED:
            detail = run.failure_reason
        fields = {"status": status.value, "at": run.updated_at.isoformat(), "detail": detail or ""}
        key = STREAM_PREFIX + run.order_id
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.xadd(key, fields, maxlen=STREAM_MAXLEN, approximate=True)  # type: ignore[arg-type]
                pipe.expire(key, STREAM_TTL_S)
                await pipe.execute()
        except RedisError:
            log.warning("provisioning.status_not_published", order_id=run.order_id)


async def publish_approved(redis: Redis, order_id: str, *, at: dt.datetime) -> bool:
    """Start the order's stream with ``approved``; False when it already has entries (or
    Redis failed: the status stream is a convenience, never a reason to hold an order)."""
    key = STREAM_PREFIX + order_id
    fields = {"status": OrderStatus.APPROVED.value, "at": at.isoformat(), "detail": "approved"}
    try:
        if await redis.exists(key):
            return False
        async with redis.pipeline(transaction=False) as pipe:
            pipe.xadd(key, fields, maxlen=STREAM_MAXLEN, approximate=True)  # type: ignore[arg-type]
            pipe.expire(key, STREAM_TTL_S)
            await pipe.execute()
    except RedisError:
        log.warning("provisioning.status_not_published", order_id=order_id)
        return False
    return True


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def read_after(redis: Redis, order_id: str, after: str) -> list[StatusEvent]:
    """Entries after ``after`` (a stream id, ``0-0`` for all), oldest first."""
    answer = await redis.xread({STREAM_PREFIX + order_id: after}, count=50)
    events = []
    for _key, entries in answer or []:
        for entry_id, fields in entries:
            values = {_text(k): _text(v) for k, v in fields.items()}
            events.append(
                StatusEvent(
                    id=_text(entry_id),
                    status=OrderStatus(values["status"]),
                    at=dt.datetime.fromisoformat(values["at"]),
                    detail=values.get("detail") or None,
                )
            )
    return events


async def latest_id(redis: Redis, order_id: str) -> str:
    entries = await redis.xrevrange(STREAM_PREFIX + order_id, count=1)
    return _text(entries[0][0]) if entries else "0-0"
