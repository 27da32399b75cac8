"""One "instance" for the two-process cache test: the catalog's two-tier cache over Redis.

``python peer.py REDIS_URL NAME KEY SOURCE_KEY`` (the catalog cache's name and key),
then line commands on stdin, one answer line each:
``get`` prints the value served (the "provider" is the Redis key SOURCE_KEY, so both
processes load the same thing), ``peek`` prints the L1 copy or ``-``, ``invalidate``
drops the entry through this instance.
"""

from __future__ import annotations

import asyncio
import sys

import structlog

from bff.core.cache import CachePolicy, SingleFlightCache
from bff.core.cache_bus import invalidation_bus, running
from bff.core.redis import create_redis

# A long pushed L1 and a long fallback: only the push can make a change visible in time.
POLICY = CachePolicy(
    ttl_s=600, stale_s=600, early_refresh_s=0, local_ttl_s=60, pushed_local_ttl_s=600
)


async def main(redis_url: str, name: str, key: str, source_key: str) -> None:
    redis = create_redis(redis_url)
    bus = invalidation_bus(redis)
    cache: SingleFlightCache[bytes] = SingleFlightCache(
        redis, name=name, key=key, policy=POLICY, encode=bytes, decode=bytes, bus=bus
    )

    async def load() -> bytes:
        return bytes(await redis.get(source_key) or b"-")

    loop = asyncio.get_running_loop()
    async with running(bus):
        for _ in range(1000):  # the subscription is up within 10 s or the test fails
            if bus.epoch is not None:
                break
            await asyncio.sleep(0.01)
        print("ready", flush=True)
        while line := (await loop.run_in_executor(None, sys.stdin.readline)).strip():
            if line == "get":
                answer = (await cache.get(load)).value.decode()
            elif line == "peek":
                local = cache.peek()
                answer = "-" if local is None else local.value.decode()
            else:
                await cache.invalidate()
                answer = "ok"
            print(answer, flush=True)
    await redis.aclose()


if __name__ == "__main__":
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))  # stdout: answers
    asyncio.run(main(*sys.argv[1:5]))
