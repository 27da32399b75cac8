"""Redis caches of provider data: one upstream load per expiry, however many callers.

``SingleFlightCache`` holds one value (e.g. the whole catalog) under one Redis key:

- **Single flight across processes**: a cold or expiring entry is loaded by whoever takes
  the Redis lock (``SET NX PX``); other processes poll the key until the value lands, and
  callers inside one process share one pending load (an ``asyncio`` future), so only one
  coroutine per process touches Redis while the load runs.
- **Early refresh**: inside ``early_refresh_s`` before expiry, or earlier by XFetch's
  probabilistic test (Vattani et al., PVLDB 2015: refresh when
  ``now - delta * beta * ln(rand) >= expiry``, ``delta`` being the last load's duration),
  one caller takes the lock and reloads *in the background*; everyone keeps getting the
  current copy, so in steady state no request waits on the provider.
- **Stale-while-error**: the Redis entry lives ``stale_s`` past its TTL. A copy past its
  TTL is still served (``Cached.stale`` is then true) while a refresh is attempted; only
  when no copy exists at all does a provider failure reach the caller.
- **Two tiers**: the decoded value is kept in-process (L1) in front of Redis (L2). With a
  live :class:`~bff.core.cache_bus.InvalidationBus`, a stored or dropped value is pushed
  to every instance, so L1 may live ``pushed_local_ttl_s`` (a hot key costs no Redis
  round trip); without the push (not running, or its subscription lost) L1 lives only
  ``local_ttl_s``, the staleness bound. A load that raced an invalidation is not kept.

``CustomerCache`` is the small per-customer cache (invoices, services): one Redis hash per
customer and scope, entries with their own short TTL, dropped as a whole by webhooks.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import structlog
from pydantic import TypeAdapter
from redis.asyncio import Redis

from bff.core.cache_bus import ALL_KEYS, InvalidationBus, L1Clock
from bff.core.metrics import CACHE_LOOKUPS

log = structlog.get_logger("bff.cache")

T = TypeVar("T")

_RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


_LARGEST_DRAW = -math.log(1e-12)  # XFetch's -ln(U), with U floored as below


@dataclass(frozen=True, slots=True)
class Cached(Generic[T]):
    value: T
    version: str
    """Content hash of the encoded value: a strong validator for ETags."""
    fetched_at: float
    stale: bool = False
    """True when the copy is past its TTL (a refresh is running or the provider failed)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    payload: bytes
    version: str
    fetched_at: float
    expires_at: float
    delta: float


@dataclass(frozen=True, slots=True)
class _Local(Generic[T]):
    """The in-process copy."""

    cached: Cached[T]
    entry: _Entry
    stored_at: float
    epoch: int | None
    """The push's epoch when stored (``L1Clock``)."""
    quiet_until: float
    """Until then, within its epoch, the copy is served with no further check: before its
    L1 expiry and before any refresh could be due (even XFetch's largest draw)."""


@dataclass(frozen=True, slots=True)
class CachePolicy:
    ttl_s: float
    stale_s: float = 86_400.0
    early_refresh_s: float = 30.0
    beta: float = 1.0
    local_ttl_s: float = 1.0
    pushed_local_ttl_s: float = 0.0
    lock_ttl_s: float = 15.0
    poll_interval_s: float = 0.02


class SingleFlightCache(Generic[T]):
    """One value under one Redis key (see the module docstring)."""

    def __init__(
        self,
        redis: Redis,
        *,
        name: str,
        key: str,
        policy: CachePolicy,
        encode: Callable[[T], bytes],
        decode: Callable[[bytes], T],
        clock: Callable[[], float] = time.time,
        bus: InvalidationBus | None = None,
    ) -> None:
        self.redis = redis
        self.bus = bus
        self.name = name
        self.key = key
        self.lock_key = f"{key}:lock"
        self.policy = policy
        self._encode = encode
        self._decode = decode
        self._clock = clock
        self._l1 = L1Clock(bus, policy.pushed_local_ttl_s, policy.local_ttl_s)
        self._local: _Local[T] | None = None
        self._generation = 0  # bumped by every invalidation: a racing load is not kept...
        self._announced = ""  # ...unless it read the version last pushed ("" = dropped)
        self._pending: asyncio.Task[Cached[T]] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._hits = CACHE_LOOKUPS.labels(name, "hit")  # bound once: labels() is a lookup
        if bus is not None:
            bus.listen(name, self._on_push)

    def _on_push(self, key: str, version: str) -> None:
        local = self._local
        if local is not None and version and local.entry.version == version:
            return  # we already read that very copy
        if key in (self.key, ALL_KEYS):
            self._forget_local(announced=version if key == self.key else "")

    def _forget_local(self, announced: str = "") -> None:
        self._local = None
        self._generation += 1
        self._announced = announced

    def peek(self) -> Cached[T] | None:
        """The in-process copy if it can be served as is (fresh, no refresh due), else None.

        For lean read paths: ``None`` sends the caller down the full path (:meth:`get`).
        """
        local = self._local
        if local is None:
            return None
        now = self._clock()
        # Before `quiet_until`, while the push the copy was stored under is still the live
        # one, neither check below could say no: most calls skip them.
        quiet = now < local.quiet_until and (local.epoch is None or self._l1.current(local.epoch))
        if not quiet and (
            now >= self._l1.expires_at(local.stored_at, local.epoch)
            or self._should_refresh(local.entry, now)
        ):
            return None
        self._hits.value += 1  # what `inc()` does, minus a call
        return local.cached

    async def get(self, load: Callable[[], Awaitable[T]]) -> Cached[T]:
        now = self._clock()
        local = self._local
        if local is not None and now < self._l1.expires_at(local.stored_at, local.epoch):
            if self._should_refresh(local.entry, now):
                self._refresh_in_background(load, seen=local.entry)
            self._hits.inc()
            return self._view(local.cached.value, local.entry, now)
        pending = self._pending
        if pending is None or pending.done():
            # The shared load runs as its own task: a caller that is cancelled (client gone,
            # request deadline) stops waiting without failing everyone else's request.
            pending = asyncio.get_running_loop().create_task(self._get_shared(load))
            self._pending = pending
            pending.add_done_callback(self._forget_pending)
        return await asyncio.shield(pending)

    def _forget_pending(self, task: asyncio.Task[Cached[T]]) -> None:
        if self._pending is task:
            self._pending = None
        if not task.cancelled():
            task.exception()  # retrieved: a load nobody waits for any more must not warn

    async def invalidate(self) -> None:
        self._forget_local()
        await self.redis.delete(self.key)
        if self.bus is not None:
            await self.bus.publish(self.name, self.key)

    async def aclose(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    # -- the Redis path -----------------------------------------------------------------

    async def _get_shared(self, load: Callable[[], Awaitable[T]]) -> Cached[T]:
        generation = self._generation
        entry = await self._read()
        now = self._clock()
        if entry is not None:
            value = self._remember(entry, now, generation)
            if self._should_refresh(entry, now):
                self._refresh_in_background(load, seen=entry)
            CACHE_LOOKUPS.labels(self.name, "stale" if now >= entry.expires_at else "hit").inc()
            return self._view(value, entry, now)
        CACHE_LOOKUPS.labels(self.name, "miss").inc()
        deadline = now + self.policy.lock_ttl_s
        while True:
            token = await self._lock()
            if token is not None:
                try:
                    # Someone may have stored a value between our read and our lock.
                    entry = await self._read()
                    if entry is None:
                        entry = await self._load_and_store(load)
                finally:
                    await self._unlock(token)
                now = self._clock()
                return self._view(self._remember(entry, now, generation), entry, now)
            entry = await self._wait_for_value(deadline)
            if entry is not None:
                now = self._clock()
                return self._view(self._remember(entry, now, generation), entry, now)
            if self._clock() >= deadline:
                # The lock holder is stuck or gone: load ourselves rather than fail.
                entry = await self._load_and_store(load)
                now = self._clock()
                return self._view(self._remember(entry, now, generation), entry, now)

    async def _wait_for_value(self, deadline: float) -> _Entry | None:
        """Poll until the value lands, the lock disappears, or the deadline passes."""
        while self._clock() < deadline:
            await asyncio.sleep(self.policy.poll_interval_s)
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.get(self.key)
                pipe.exists(self.lock_key)
                raw, locked = await pipe.execute()
            if raw is not None:
                return self._parse(raw)
            if not locked:
                return None
        return None

    def _should_refresh(self, entry: _Entry, now: float) -> bool:
        if now >= entry.expires_at - self.policy.early_refresh_s:
            return True
        if now + entry.delta * self.policy.beta * _LARGEST_DRAW < entry.expires_at:
            return False  # far from expiry: no draw below could say yes
        # XFetch: -ln(U) is exponential, so a slow load starts its refresh earlier.
        jitter = -entry.delta * self.policy.beta * math.log(max(random.random(), 1e-12))  # noqa: S311
        return now + jitter >= entry.expires_at

    def _refresh_in_background(self, load: Callable[[], Awaitable[T]], *, seen: _Entry) -> None:
        if any(not task.done() for task in self._background):
            return
        task = asyncio.get_running_loop().create_task(self._refresh(load, seen=seen))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _refresh(self, load: Callable[[], Awaitable[T]], *, seen: _Entry) -> None:
        generation = self._generation
        try:
            token = await self._lock()
            if token is None:
                return
            try:
                current = await self._read()
                if current is not None and current.fetched_at > seen.fetched_at:
                    # another process refreshed it
                    self._remember(current, self._clock(), generation)
                    return
                entry = await self._load_and_store(load)
                self._remember(entry, self._clock(), generation)
            finally:
                await self._unlock(token)
        except Exception as error:  # a failed refresh keeps serving the current copy
            log.warning("cache.refresh_failed", cache=self.name, error_type=type(error).__name__)

    async def _load_and_store(self, load: Callable[[], Awaitable[T]]) -> _Entry:
        started = time.perf_counter()
        value = await load()
        delta = time.perf_counter() - started
        payload = self._encode(value)
        now = self._clock()
        entry = _Entry(
            payload=payload,
            version=hashlib.sha256(payload).hexdigest()[:32],
            fetched_at=now,
            expires_at=now + self.policy.ttl_s,
            delta=delta,
        )
        meta = json.dumps(
            {"v": entry.version, "at": entry.fetched_at, "exp": entry.expires_at, "d": delta},
            separators=(",", ":"),
        ).encode()
        hard_ttl_ms = max(1, int((self.policy.ttl_s + self.policy.stale_s) * 1000))
        await self.redis.set(self.key, meta + b"\n" + payload, px=hard_ttl_ms)
        if self.bus is not None:
            await self.bus.publish(self.name, self.key, entry.version)
        return entry

    async def _read(self) -> _Entry | None:
        raw = await self.redis.get(self.key)
        return None if raw is None else self._parse(raw)

    def _parse(self, raw: bytes) -> _Entry | None:
        meta_raw, _, payload = bytes(raw).partition(b"\n")
        try:
            meta = json.loads(meta_raw)
            return _Entry(
                payload=payload,
                version=str(meta["v"]),
                fetched_at=float(meta["at"]),
                expires_at=float(meta["exp"]),
                delta=float(meta["d"]),
            )
        except (ValueError, KeyError, TypeError):
            log.warning("cache.unreadable_entry", cache=self.name)
            return None

    def _remember(self, entry: _Entry, now: float, generation: int) -> T:
        local = self._local
        if local is not None and local.entry.version == entry.version:
            value = local.cached.value  # same content: skip decoding again
        else:
            value = self._decode(entry.payload)
        # A push that came in while we read makes the copy suspect, unless the push
        # announced this very version (another instance stored what we just read).
        if generation == self._generation or (self._announced and self._announced == entry.version):
            cached = Cached(value=value, version=entry.version, fetched_at=entry.fetched_at)
            epoch = self._l1.stamp()
            quiet_until = min(
                self._l1.expires_at(now, epoch),
                entry.expires_at - self.policy.early_refresh_s,
                entry.expires_at - entry.delta * self.policy.beta * _LARGEST_DRAW,
            )
            self._local = _Local(cached, entry, now, epoch, quiet_until)
        return value

    @staticmethod
    def _view(value: T, entry: _Entry, now: float) -> Cached[T]:
        return Cached(
            value=value,
            version=entry.version,
            fetched_at=entry.fetched_at,
            stale=now >= entry.expires_at,
        )

    async def _lock(self) -> str | None:
        token = secrets.token_hex(8)
        acquired = await self.redis.set(
            self.lock_key, token, nx=True, px=int(self.policy.lock_ttl_s * 1000)
        )
        return token if acquired else None

    async def _unlock(self, token: str) -> None:
        await self.redis.eval(_RELEASE_LOCK, 1, self.lock_key, token)  # type: ignore[misc]


class CustomerCache:
    """Short-lived per-customer copies of provider reads, grouped by scope.

    ``bff:cc:<scope>:<customer>`` is a Redis hash whose fields are the cached reads (e.g.
    ``invoices:unpaid:1:20``), each stored with the time it was fetched. Dropping the
    hash (:meth:`invalidate`) forgets everything of that scope for the customer, which
    is what a webhook about that customer does.
    """

    def __init__(self, redis: Redis, *, ttl_s: float, clock: Callable[[], float] = time.time):
        self.redis = redis
        self.ttl_s = ttl_s
        self._clock = clock

    @staticmethod
    def key(scope: str, customer: str) -> str:
        return f"bff:cc:{scope}:{customer}"

    async def get_or_load_json(
        self,
        scope: str,
        customer: str,
        field: str,
        adapter: TypeAdapter[T],
        load: Callable[[], Awaitable[T]],
    ) -> bytes:
        """The value's JSON (by alias) from the cache, or loaded and cached. Routes answer
        with these bytes as they are; readers that need the value decode them."""
        if self.ttl_s <= 0:
            return adapter.dump_json(await load(), by_alias=True)
        cached = await self._read(scope, customer, field)
        if cached is not None:
            return cached
        asked_at = self._clock()
        encoded = adapter.dump_json(await load(), by_alias=True)
        await self._store(scope, customer, field, encoded, asked_at)
        return encoded

    async def _read(self, scope: str, customer: str, field: str) -> bytes | None:
        raw = await self.redis.hget(self.key(scope, customer), field)  # type: ignore[misc]
        if raw is not None:
            at_raw, _, payload = bytes(raw).partition(b"\n")
            try:
                if self._clock() - float(at_raw) < self.ttl_s:
                    CACHE_LOOKUPS.labels(scope, "hit").inc()
                    return payload
            except ValueError:
                pass
        CACHE_LOOKUPS.labels(scope, "miss").inc()
        return None

    async def _store(
        self, scope: str, customer: str, field: str, encoded: bytes, asked_at: float
    ) -> None:
        """Cache ``encoded`` as of ``asked_at``, when its load began (its age errs long)."""
        key = self.key(scope, customer)
        stamped = f"{asked_at}".encode() + b"\n" + encoded
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, field, stamped)  # type: ignore[arg-type]  # bytes are fine
            pipe.expire(key, max(1, math.ceil(self.ttl_s)))
            await pipe.execute()

    async def invalidate(self, scope: str, customer: str) -> None:
        await self.redis.delete(self.key(scope, customer))
