"""Two-tier cache: L1 trusted long only while the Redis pub/sub invalidation push is live."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable

import pytest
from fakeredis import FakeAsyncRedis, FakeServer

from bff.core.cache import CachePolicy, SingleFlightCache
from bff.core.cache_bus import InvalidationBus, running

POLICY = CachePolicy(
    ttl_s=600, stale_s=600, early_refresh_s=0, local_ttl_s=0.2, pushed_local_ttl_s=600
)


class Source:
    """The "provider": a value the test changes, and a count of loads."""

    def __init__(self) -> None:
        self.value = b"v1"
        self.loads = 0

    async def __call__(self) -> bytes:
        self.loads += 1
        return self.value


class Instance:
    """One BFF instance: its own Redis client (same server), bus and cache."""

    def __init__(self, server: FakeServer) -> None:
        self.redis = FakeAsyncRedis(server=server)
        self.bus = InvalidationBus(self.redis, heartbeat_s=0.05, dead_after_s=0.3)
        self.cache: SingleFlightCache[bytes] = SingleFlightCache(
            self.redis, name="t", key="k", policy=POLICY, encode=bytes, decode=bytes, bus=self.bus
        )


async def until(condition: Callable[[], bool], timeout_s: float) -> None:
    """Poll ``condition`` until true; fail after ``timeout_s`` (a bound, not a timing)."""
    async with asyncio.timeout(timeout_s):
        for _ in itertools.count():
            if condition():
                return
            await asyncio.sleep(0.005)


async def wait_until_subscribed(*buses: InvalidationBus) -> None:
    await until(lambda: all(bus.epoch is not None for bus in buses), 5)


@pytest.fixture
async def pair() -> AsyncIterator[tuple[Instance, Instance]]:
    server = FakeServer()
    a, b = Instance(server), Instance(server)
    async with running(a.bus), running(b.bus):
        await wait_until_subscribed(a.bus, b.bus)
        yield a, b


async def test_l1_serves_without_redis_while_the_push_is_live(
    pair: tuple[Instance, Instance],
) -> None:
    a, _ = pair
    source = Source()
    await a.cache.get(source)
    await asyncio.sleep(POLICY.local_ttl_s * 2)  # past the fallback bound
    await a.redis.set("k", b"garbage that would fail to parse")  # L2 no longer consulted
    assert a.cache.peek() is not None
    assert (await a.cache.get(source)).value == b"v1"
    assert source.loads == 1


async def test_invalidation_through_one_instance_reaches_the_other(
    pair: tuple[Instance, Instance],
) -> None:
    a, b = pair
    source = Source()
    assert (await a.cache.get(source)).value == b"v1"
    assert (await b.cache.get(source)).value == b"v1"
    source.value = b"v2"
    await a.cache.invalidate()
    await until(lambda: b.cache.peek() is None, 1.0)  # the bound of the issue
    assert (await b.cache.get(source)).value == b"v2"
    assert (await a.cache.get(source)).value == b"v2"
    assert source.loads == 2  # one reload for both (single flight through Redis)


async def test_a_refresh_by_one_instance_is_pushed_to_the_other(
    pair: tuple[Instance, Instance],
) -> None:
    a, b = pair
    source = Source()
    await a.cache.get(source)
    first = await b.cache.get(source)
    source.value = b"v2"
    await a.cache._load_and_store(source)  # what a background refresh does
    await until(lambda: b.cache.peek() is None, 1.0)
    second = await b.cache.get(source)
    assert (first.value, second.value) == (b"v1", b"v2")


async def test_without_the_push_l1_lives_only_the_fallback_bound() -> None:
    instance = Instance(FakeServer())  # bus never started: no push
    source = Source()
    await instance.cache.get(source)
    assert instance.cache.peek() is not None
    await asyncio.sleep(POLICY.local_ttl_s * 1.5)
    assert instance.cache.peek() is None
    await instance.redis.set("k", b"")  # an unreadable entry forces a reload
    source.value = b"v2"
    assert (await instance.cache.get(source)).value == b"v2"


async def test_a_lost_subscription_shortens_l1_and_resubscribing_drops_it() -> None:
    server = FakeServer()
    instance = Instance(server)
    source = Source()
    async with running(instance.bus):
        await wait_until_subscribed(instance.bus)
        await instance.cache.get(source)
        epoch = instance.bus.epoch
        server.connected = False  # Redis goes away: the subscription errors or goes silent
        await until(lambda: instance.bus.epoch is None, 2)
        await asyncio.sleep(POLICY.local_ttl_s)
        assert instance.cache.peek() is None, "stale past the fallback bound"
        server.connected = True
        await wait_until_subscribed(instance.bus)
        assert instance.bus.epoch != epoch
        assert instance.cache.peek() is None, "a copy from before the gap is not trusted"


async def test_a_load_racing_an_invalidation_is_not_kept_in_l1(
    pair: tuple[Instance, Instance],
) -> None:
    a, b = pair
    source = Source()
    await a.cache.get(source)  # v1 in Redis
    gate = asyncio.Event()
    real_get = b.redis.get

    async def slow_get(key: str) -> bytes | None:
        value = await real_get(key)
        await gate.wait()
        return value  # type: ignore[no-any-return]

    b.redis.get = slow_get  # type: ignore[method-assign]
    reading = asyncio.create_task(b.cache.get(source))
    await asyncio.sleep(0.01)
    generation = b.cache._generation
    source.value = b"v2"
    await a.cache.invalidate()  # while b's read of v1 is in flight
    await until(lambda: b.cache._generation != generation, 1)
    gate.set()
    assert (await reading).value == b"v1"  # that request saw the old copy...
    assert b.cache.peek() is None  # ...but it is not kept


async def test_a_load_racing_the_push_of_the_version_it_read_is_kept(
    pair: tuple[Instance, Instance],
) -> None:
    a, b = pair
    source = Source()
    gate = asyncio.Event()
    real_get = b.redis.get

    async def slow_get(key: str) -> bytes | None:
        await gate.wait()
        return await real_get(key)  # type: ignore[no-any-return]

    b.redis.get = slow_get  # type: ignore[method-assign]
    reading = asyncio.create_task(b.cache.get(source))
    await asyncio.sleep(0.01)
    generation = b.cache._generation
    await a.cache.get(source)  # stores v1 and pushes its version while b's read waits
    await until(lambda: b.cache._generation != generation, 1)
    gate.set()
    assert (await reading).value == b"v1"
    assert b.cache.peek() is not None  # the push announced what b read: no needless miss
    assert source.loads == 1
