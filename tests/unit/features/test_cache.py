"""SingleFlightCache and CustomerCache on fakeredis, with a hand-driven clock."""

from __future__ import annotations

import asyncio

import pytest
from fakeredis import FakeAsyncRedis
from pydantic import TypeAdapter

from bff.core import cache as cache_module
from bff.core.cache import CachePolicy, CustomerCache, SingleFlightCache


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Loader:
    def __init__(self) -> None:
        self.calls = 0
        self.fail = False
        self.delay = 0.0

    async def __call__(self) -> bytes:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("provider down")
        return f"v{self.calls}".encode()


POLICY = CachePolicy(ttl_s=60, stale_s=600, early_refresh_s=5, local_ttl_s=1, lock_ttl_s=2)


def make(
    redis: FakeAsyncRedis, clock: Clock, policy: CachePolicy = POLICY
) -> SingleFlightCache[bytes]:
    return SingleFlightCache(
        redis, name="test", key="k", policy=policy, encode=bytes, decode=bytes, clock=clock
    )


async def settle(cache: SingleFlightCache[bytes]) -> None:
    await asyncio.gather(*cache._background, return_exceptions=True)


@pytest.fixture
def redis() -> FakeAsyncRedis:
    return FakeAsyncRedis()


async def test_cold_load_then_hits(redis: FakeAsyncRedis) -> None:
    clock, load = Clock(), Loader()
    cache = make(redis, clock)
    first = await cache.get(load)
    second = await cache.get(load)
    assert first.value == second.value == b"v1"
    assert first.version == second.version and not first.stale
    assert load.calls == 1


async def test_concurrent_cold_callers_share_one_load(redis: FakeAsyncRedis) -> None:
    clock, load = Clock(), Loader()
    load.delay = 0.05
    one, other = make(redis, clock), make(redis, clock)  # two "processes", one Redis
    results = await asyncio.gather(*(c.get(load) for c in (one, other) for _ in range(20)))
    assert load.calls == 1
    assert {r.value for r in results} == {b"v1"}


async def test_another_process_reads_redis_after_its_local_copy_expires(
    redis: FakeAsyncRedis,
) -> None:
    clock, load = Clock(), Loader()
    writer, reader = make(redis, clock), make(redis, clock)
    await writer.get(load)
    assert (await reader.get(load)).value == b"v1"
    await writer.invalidate()
    clock.now += 2  # past the reader's 1 s local copy
    assert (await reader.get(load)).value == b"v2"
    assert load.calls == 2


async def test_refresh_before_expiry_runs_in_the_background(redis: FakeAsyncRedis) -> None:
    clock, load = Clock(), Loader()
    cache = make(redis, clock)
    await cache.get(load)
    clock.now += 56  # inside the 5 s early-refresh window
    during = await cache.get(load)
    assert during.value == b"v1"  # nobody waits for the refresh
    await settle(cache)
    assert load.calls == 2
    clock.now += 2
    assert (await cache.get(load)).value == b"v2"
    assert load.calls == 2


async def test_xfetch_may_refresh_earlier_for_slow_loads(
    redis: FakeAsyncRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, load = Clock(), Loader()
    load.delay = 0.05  # the recorded load time (delta) scales XFetch's head start
    cache = make(redis, clock, CachePolicy(ttl_s=60, early_refresh_s=0, local_ttl_s=0))
    await cache.get(load)
    clock.now += 59  # 1 s before expiry, no fixed early window
    monkeypatch.setattr(cache_module.random, "random", lambda: 0.5)  # -ln(U) ~ 0.7: no
    await cache.get(load)
    await settle(cache)
    assert load.calls == 1
    monkeypatch.setattr(cache_module.random, "random", lambda: 1e-20)  # -ln(U) ~ 27.6: yes
    await cache.get(load)
    await settle(cache)
    assert load.calls == 2


async def test_peek_serves_the_local_copy_until_a_refresh_could_be_due(
    redis: FakeAsyncRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lean path's check: no copy once the early-refresh window or an XFetch draw says
    refresh, so that request goes the full way and starts it."""
    clock, load = Clock(), Loader()
    load.delay = 0.05  # delta: XFetch's largest draw reaches ~1.4 s before expiry
    cache = make(redis, clock, CachePolicy(ttl_s=60, early_refresh_s=5, local_ttl_s=3600))
    await cache.get(load)
    monkeypatch.setattr(cache_module.random, "random", lambda: 0.5)  # -ln(U) ~ 0.7: no
    clock.now += 54.9  # before any window: served with no further check
    assert cache.peek() is not None
    clock.now += 0.2  # inside the fixed 5 s window
    assert cache.peek() is None
    await cache.get(load)  # the full path starts the refresh
    await settle(cache)
    assert load.calls == 2
    assert cache.peek() is not None  # the refreshed copy, a full TTL ahead

    cache = make(redis, clock, CachePolicy(ttl_s=60, early_refresh_s=0, local_ttl_s=3600))
    await redis.delete("k")
    await cache.get(load)
    clock.now += 59.5  # within reach of XFetch's largest draw, not of this one
    assert cache.peek() is not None
    monkeypatch.setattr(cache_module.random, "random", lambda: 1e-20)  # -ln(U) ~ 46: yes
    assert cache.peek() is None


async def test_stale_copy_is_served_while_the_provider_fails(redis: FakeAsyncRedis) -> None:
    clock, load = Clock(), Loader()
    cache = make(redis, clock)
    await cache.get(load)
    load.fail = True
    clock.now += 120  # past the TTL, within the stale window
    stale = await cache.get(load)
    assert stale.value == b"v1" and stale.stale
    await settle(cache)
    clock.now += 2
    again = await cache.get(load)
    assert again.value == b"v1" and again.stale
    load.fail = False
    await settle(cache)
    clock.now += 2
    await cache.get(load)
    await settle(cache)
    clock.now += 2
    fresh = await cache.get(load)
    assert fresh.value.startswith(b"v") and fresh.value != b"v1" and not fresh.stale


async def test_cold_failure_reaches_the_caller(redis: FakeAsyncRedis) -> None:
    clock, load = Clock(), Loader()
    load.fail = True
    cache = make(redis, clock)
    with pytest.raises(RuntimeError):
        await cache.get(load)
    assert await redis.get("k:lock") is None  # the lock is released
    load.fail = False
    assert (await cache.get(load)).value == b"v2"


async def test_an_unreadable_entry_is_a_miss(redis: FakeAsyncRedis) -> None:
    clock, load = Clock(), Loader()
    await redis.set("k", b"garbage\npayload")
    assert (await make(redis, clock).get(load)).value == b"v1"


async def test_customer_cache_ttl_and_invalidation(redis: FakeAsyncRedis) -> None:
    clock = Clock()
    cache = CustomerCache(redis, ttl_s=30, clock=clock)
    adapter = TypeAdapter(list[int])
    calls = 0

    async def load() -> list[int]:
        nonlocal calls
        calls += 1
        return [calls]

    assert await cache.get_or_load_json("billing", "1", "f", adapter, load) == b"[1]"
    assert await cache.get_or_load_json("billing", "1", "f", adapter, load) == b"[1]"
    assert await cache.get_or_load_json("billing", "2", "f", adapter, load) == b"[2]"
    clock.now += 31
    assert await cache.get_or_load_json("billing", "1", "f", adapter, load) == b"[3]"
    await cache.invalidate("billing", "1")
    assert await cache.get_or_load_json("billing", "1", "f", adapter, load) == b"[4]"
    off = CustomerCache(redis, ttl_s=0)
    assert await off.get_or_load_json("billing", "1", "f", adapter, load) == b"[5]"


async def test_a_cancelled_caller_does_not_fail_the_others(redis: FakeAsyncRedis) -> None:
    clock, load = Clock(), Loader()
    load.delay = 0.05
    cache = make(redis, clock)
    first = asyncio.create_task(cache.get(load))
    others = [asyncio.create_task(cache.get(load)) for _ in range(5)]
    await asyncio.sleep(0.01)
    first.cancel()
    results = await asyncio.gather(*others)
    assert {r.value for r in results} == {b"v1"}
    assert load.calls == 1
    assert first.cancelled()
