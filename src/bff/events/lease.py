"""One active consumer: a Redis lease (SET NX PX, renewed) with a fencing token.

Each acquisition takes a new token from ``INCR``; the cursor store refuses writes from a
token older than the last one written, so a paused consumer whose lease lapsed cannot move
the cursor after a newer one took over.
"""

from __future__ import annotations

import secrets

from redis.asyncio import Redis

__all__ = ["Lease"]

# Renew / release only if the lease is still ours (compare-and-act, atomically).
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Lease:
    def __init__(self, redis: Redis, name: str, *, ttl_s: float) -> None:
        self._redis = redis
        self._key = f"bff:lease:{name}"
        self._fence_key = f"bff:lease:{name}:fence"
        self._ttl_ms = int(ttl_s * 1000)
        self._owner = secrets.token_hex(8)
        self._value: str | None = None
        self.fence = 0

    async def acquire(self) -> bool:
        fence = int(await self._redis.incr(self._fence_key))
        value = f"{fence}:{self._owner}"
        if await self._redis.set(self._key, value, nx=True, px=self._ttl_ms):
            self._value, self.fence = value, fence
            return True
        return False

    async def renew(self) -> bool:
        if self._value is None:
            return False
        renewed = await self._redis.eval(_RENEW, 1, self._key, self._value, str(self._ttl_ms))  # type: ignore[misc]
        if not renewed:
            self._value = None
        return bool(renewed)

    async def release(self) -> None:
        if self._value is not None:
            await self._redis.eval(_RELEASE, 1, self._key, self._value)  # type: ignore[misc]
            self._value = None

    @property
    def held(self) -> bool:
        return self._value is not None
