"""Push invalidation of in-process cache copies, over one Redis pub/sub channel.

Every instance subscribes to ``bff:cache:invalidate:<db>`` (pub/sub ignores the database
number; the suffix keeps apps on other databases of one server apart). A cache that
changes or drops a shared entry publishes ``<origin>|<namespace>|<key>|<version>``; every other
instance's listeners for that namespace drop their in-process copy of the key unless it
already is that version (the origin already did; an empty version means "dropped"), so
a change reaches every instance within a pub/sub hop (milliseconds), not an L1 TTL.

In-process copies may be trusted past the short fallback bound only while the push is
known to work. :attr:`InvalidationBus.epoch` says so: it is ``None`` while not
subscribed or when the connection went silent (no answer to the heartbeat PING for
``dead_after_s``), and it changes at every new subscription, because messages published
while we were away are lost. A copy remembers the epoch it was stored under; a copy from
another epoch, or with no epoch, lives only for the short bound (see ``L1Clock``).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import structlog
from redis.asyncio import Redis

log = structlog.get_logger("bff.cache.bus")

CHANNEL = "bff:cache:invalidate"
ALL_KEYS = "*"
"""Key meaning "everything of this namespace" (sent to listeners after a resubscription)."""

Listener = Callable[[str, str], None]
"""Called with (key, version); version is "" when the entry was dropped."""


class InvalidationBus:
    def __init__(
        self,
        redis: Redis,
        *,
        heartbeat_s: float = 0.25,
        dead_after_s: float = 1.0,
        reconnect_max_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.heartbeat_s = heartbeat_s
        self.dead_after_s = dead_after_s
        self.reconnect_max_s = reconnect_max_s
        self._clock = clock
        self._listeners: dict[str, list[Listener]] = defaultdict(list)
        self._epoch = 0
        self._subscribed = False
        self._last_seen = 0.0
        self._origin = secrets.token_hex(6)
        self._closed = False
        self.channel = f"{CHANNEL}:{redis.connection_pool.connection_kwargs.get('db', 0)}"

    @property
    def epoch(self) -> int | None:
        """The current subscription's number, or ``None`` when pushes may be missed."""
        if self._subscribed and self._clock() - self._last_seen < self.dead_after_s:
            return self._epoch
        return None

    def listen(self, namespace: str, listener: Listener) -> None:
        self._listeners[namespace].append(listener)

    async def publish(self, namespace: str, key: str, version: str = "") -> None:
        """Tell the other instances; the caller has already updated its own copy."""
        await self.redis.publish(self.channel, f"{self._origin}|{namespace}|{key}|{version}")

    def _deliver(self, namespace: str, key: str, version: str) -> None:
        for listener in self._listeners.get(namespace, ()):
            listener(key, version)

    def _drop_everything(self) -> None:
        for namespace in list(self._listeners):
            self._deliver(namespace, ALL_KEYS, "")

    async def run(self) -> None:
        """Keep the subscription up until cancelled, reconnecting with backoff."""
        delay = 0.05
        while not self._closed:
            epoch = self._epoch
            try:
                await self._subscribe_and_listen()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("cache.bus_lost", error_type=type(error).__name__, retry_in_s=delay)
            finally:
                self._subscribed = False
            if self._epoch != epoch:  # it had worked: a fresh failure, not a repeated one
                delay = 0.05
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.reconnect_max_s)

    async def _subscribe_and_listen(self) -> None:
        pubsub = self.redis.pubsub()
        try:
            await pubsub.subscribe(self.channel)
            last_ping = 0.0
            while not self._closed:
                message = await pubsub.get_message(timeout=self.heartbeat_s)
                now = self._clock()
                if message is not None:
                    self._on_message(message, now)
                if self._subscribed and now - self._last_seen >= self.dead_after_s:
                    raise ConnectionError("no answer to the heartbeat")
                if now - last_ping >= self.heartbeat_s:
                    await pubsub.ping()
                    last_ping = now
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _on_message(self, message: dict[str, object], now: float) -> None:
        kind = message.get("type")
        if kind == "subscribe":
            self._epoch += 1
            self._last_seen = now
            self._subscribed = True
            self._drop_everything()  # whatever was published while we were away is lost
            log.info("cache.bus_subscribed", epoch=self._epoch)
        elif kind == "pong":
            self._last_seen = now
        elif kind == "message":
            self._last_seen = now
            data = message.get("data")
            text = data.decode() if isinstance(data, bytes) else str(data)
            origin, _, rest = text.partition("|")
            namespace, _, rest = rest.partition("|")
            key, _, version = rest.rpartition("|")
            if origin != self._origin:
                self._deliver(namespace, key, version)


@dataclass(frozen=True, slots=True)
class L1Clock:
    """How long an in-process copy may be served: long with a live push, short without."""

    bus: InvalidationBus | None
    pushed_ttl_s: float
    """Lifetime of a copy stored while the push was live, in the same epoch."""
    fallback_ttl_s: float
    """Lifetime of any other copy: the staleness bound without the push."""

    def stamp(self) -> int | None:
        return None if self.bus is None else self.bus.epoch

    def current(self, epoch: int) -> bool:
        """Whether the push that was live at ``epoch`` still is."""
        return self.bus is not None and self.bus.epoch == epoch

    def expires_at(self, stored_at: float, epoch: int | None) -> float:
        if epoch is not None and self.current(epoch):
            return stored_at + max(self.pushed_ttl_s, self.fallback_ttl_s)
        return stored_at + self.fallback_ttl_s


_buses: dict[int, InvalidationBus] = {}


def invalidation_bus(redis: Redis) -> InvalidationBus:
    """The process's bus for this Redis client (built on first use, idle until ``running``)."""
    known = _buses.get(id(redis))
    if known is not None and known.redis is redis:
        return known
    bus = InvalidationBus(redis)
    _buses[id(redis)] = bus
    return bus


@contextlib.asynccontextmanager
async def running(bus: InvalidationBus) -> AsyncIterator[InvalidationBus]:
    """Run the bus's subscription as a task for the duration of the block."""
    task = asyncio.get_running_loop().create_task(bus.run(), name="bff-cache-bus")
    try:
        yield bus
    finally:
        # The flag as well as the cancel: a cancel that lands while redis-py's read
        # timeout fires can be turned into a TimeoutError (Python 3.11), i.e. lost.
        bus._closed = True
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        _buses.pop(id(bus.redis), None)
