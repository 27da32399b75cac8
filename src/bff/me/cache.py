"""The signed-in customer's profile, rendered once and cached in two tiers.

``GET /api/me`` is asked on every page load of the portal, and its sources (the portal's
``users`` row and the WHMCS client) change rarely and almost only through
``PATCH /api/me``. So the answer is kept as its JSON bytes:

- **L1**: a bounded LRU in the process (``BFF_CACHE__PROFILE_LOCAL_MAX`` entries);
- **L2**: Redis ``bff:me:profile:<user id>:<whmcs client id>`` for ``profile_ttl_s``.

Both are keyed by the owner (user *and* the billing account it is linked to), so a copy
is only ever served to that user, and a relink starts from a fresh key. A PATCH drops the
copy in Redis and pushes the drop to every instance (:class:`InvalidationBus`); like the
shared caches, L1 lives the long ``pushed_local_ttl_s`` only while that push is live, else
``local_ttl_s``. One load per user and process at a time (concurrent tabs share it).
A change made in WHMCS itself, outside the portal, shows within ``profile_ttl_s``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from cachetools import LRUCache
from redis.asyncio import Redis

from bff.core.cache_bus import ALL_KEYS, InvalidationBus, L1Clock, invalidation_bus
from bff.core.metrics import CACHE_LOOKUPS
from bff.settings import Settings

NAMESPACE = "profile"
_PREFIX = "bff:me:profile:"


class ProfileCache:
    def __init__(
        self,
        redis: Redis,
        *,
        ttl_s: float,
        local_max: int,
        l1: L1Clock,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self._l1 = l1
        self._clock = clock
        # key -> (rendered profile, stored at, bus epoch when stored)
        self._local: LRUCache[str, tuple[bytes, float, int | None]] = LRUCache(
            maxsize=max(1, local_max)
        )
        self._local_enabled = local_max > 0
        self._pending: dict[str, asyncio.Task[bytes]] = {}
        self._generation = 0  # bumped by every drop: a load that raced one is not kept
        self._hits = CACHE_LOOKUPS.labels(NAMESPACE, "hit")
        if l1.bus is not None:
            l1.bus.listen(NAMESPACE, self._on_push)

    @staticmethod
    def key(user_id: str, whmcs_client_id: str) -> str:
        return f"{_PREFIX}{user_id}:{whmcs_client_id}"

    async def get(self, key: str, load: Callable[[], Awaitable[bytes]]) -> bytes:
        if self.ttl_s <= 0:
            return await load()
        local = self._local.get(key)
        if local is not None and self._clock() < self._l1.expires_at(local[1], local[2]):
            self._hits.inc()
            return local[0]
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.get_running_loop().create_task(self._get_shared(key, load))
            self._pending[key] = pending
            pending.add_done_callback(lambda task: self._forget_pending(key, task))
        return await asyncio.shield(pending)

    def _forget_pending(self, key: str, task: asyncio.Task[bytes]) -> None:
        if self._pending.get(key) is task:
            del self._pending[key]
        if not task.cancelled():
            task.exception()  # retrieved: a load nobody waits for any more must not warn

    async def _get_shared(self, key: str, load: Callable[[], Awaitable[bytes]]) -> bytes:
        generation = self._generation
        stamp = self._l1.stamp()
        raw = await self.redis.get(key)
        if raw is not None:
            CACHE_LOOKUPS.labels(NAMESPACE, "hit").inc()
            rendered = bytes(raw)
        else:
            CACHE_LOOKUPS.labels(NAMESPACE, "miss").inc()
            rendered = await load()
            await self.redis.set(key, rendered, px=max(1, int(self.ttl_s * 1000)))
        if self._local_enabled and generation == self._generation:
            self._local[key] = (rendered, self._clock(), stamp)
        return rendered

    async def invalidate(self, key: str) -> None:
        self._forget(key)
        await self.redis.delete(key)
        if self._l1.bus is not None:
            await self._l1.bus.publish(NAMESPACE, key)

    def _on_push(self, key: str, _version: str) -> None:
        if key == ALL_KEYS:
            self._local.clear()
            self._generation += 1
        else:
            self._forget(key)

    def _forget(self, key: str) -> None:
        self._local.pop(key, None)
        self._generation += 1


_caches: dict[int, tuple[Settings, ProfileCache]] = {}


def profile_cache(redis: Redis, settings: Settings) -> ProfileCache:
    """The process's profile cache for this Redis client and settings (built on first use)."""
    known = _caches.get(id(redis))
    if known is not None and known[0] is settings and known[1].redis is redis:
        return known[1]
    cache = settings.cache
    bus: InvalidationBus = invalidation_bus(redis)
    built = ProfileCache(
        redis,
        ttl_s=cache.profile_ttl_s,
        local_max=cache.profile_local_max,
        l1=L1Clock(
            bus,
            pushed_ttl_s=min(cache.pushed_local_ttl_s, cache.profile_ttl_s),
            fallback_ttl_s=min(cache.local_ttl_s, cache.profile_ttl_s),
        ),
    )
    _caches[id(redis)] = (settings, built)
    return built
