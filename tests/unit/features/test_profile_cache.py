"""ProfileCache: per-owner L1 + Redis, push invalidation across instances, bounded."""

from __future__ import annotations

import asyncio

from fakeredis import FakeAsyncRedis, FakeServer

from bff.core.cache_bus import InvalidationBus, L1Clock, running
from bff.me.cache import ProfileCache
from tests.unit.features.test_cache_bus import until


class Source:
    def __init__(self) -> None:
        self.value = b"v1"
        self.loads = 0

    async def __call__(self) -> bytes:
        self.loads += 1
        await asyncio.sleep(0)
        return self.value


def make(redis: FakeAsyncRedis, bus: InvalidationBus | None, local_max: int = 100) -> ProfileCache:
    return ProfileCache(redis, ttl_s=300, local_max=local_max, l1=L1Clock(bus, 300, 0.2))


async def test_invalidation_reaches_the_other_instance() -> None:
    server = FakeServer()
    ra, rb = FakeAsyncRedis(server=server), FakeAsyncRedis(server=server)
    bus_a = InvalidationBus(ra, heartbeat_s=0.05, dead_after_s=0.3)
    bus_b = InvalidationBus(rb, heartbeat_s=0.05, dead_after_s=0.3)
    a, b = make(ra, bus_a), make(rb, bus_b)
    key, source = ProfileCache.key("u1", "c1"), Source()
    async with running(bus_a), running(bus_b):
        await until(lambda: bus_a.epoch is not None and bus_b.epoch is not None, 5)
        assert (await a.get(key, source), await b.get(key, source)) == (b"v1", b"v1")
        assert source.loads == 1  # b found a's copy in Redis
        await asyncio.sleep(0.3)  # past the fallback bound: only the push keeps b's L1 right
        await rb.set(key, b"unused")  # b's L1 answers, not Redis
        assert await b.get(key, source) == b"v1"
        source.value = b"v2"
        await a.invalidate(key)
        await until(lambda: key not in b._local, 1.0)
        assert await b.get(key, source) == b"v2"


async def test_concurrent_gets_share_one_load_and_keys_stay_apart() -> None:
    redis = FakeAsyncRedis()
    cache, source = make(redis, None), Source()
    mine, theirs = ProfileCache.key("u1", "c1"), ProfileCache.key("u2", "c2")
    results = await asyncio.gather(*(cache.get(mine, source) for _ in range(20)))
    assert set(results) == {b"v1"} and source.loads == 1
    source.value = b"other"
    assert await cache.get(theirs, source) == b"other"
    assert await cache.get(mine, source) == b"v1"


async def test_l1_is_bounded_and_short_without_the_push() -> None:
    redis = FakeAsyncRedis()
    cache, source = make(redis, None, local_max=3), Source()
    for n in range(10):
        await cache.get(ProfileCache.key(f"u{n}", "c"), source)
    assert len(cache._local) == 3
    key = ProfileCache.key("u9", "c")
    await redis.set(key, b"changed in Redis")
    assert await cache.get(key, source) == b"v1"  # L1, within the 0.2 s bound
    await asyncio.sleep(0.25)
    assert await cache.get(key, source) == b"changed in Redis"


async def test_ttl_zero_turns_it_off() -> None:
    cache = ProfileCache(FakeAsyncRedis(), ttl_s=0, local_max=10, l1=L1Clock(None, 0, 0))
    source = Source()
    await cache.get("k", source)
    await cache.get("k", source)
    assert source.loads == 2
