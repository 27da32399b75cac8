"""A local view of session state, so an authenticated request needs no Redis round trip.

Every authenticated request must know that its session (refresh-token family) is still
alive, and who owns it. The view keeps, per session id, the owner read from Redis once
(or the fact that the session is gone), and is kept current by a push: each revocation
(logout, logout-all, session delete, password change or reset, refresh-token reuse) is
published on ``REVOKED_CHANNEL`` in the same MULTI or Lua script that deletes the family,
so it cannot be lost between the two.

Staleness is bounded by proof, not by hope. The subscriber PINGs on its subscription
connection every quarter of the bound; Redis answers a PING after every message it
published before it, so a PONG for a PING sent at ``t`` proves every revocation
published before ``t`` has been applied. The view is trusted only until ``t + bound``.
Past that (Redis slow, connection silently dead, not yet subscribed at startup, or
reconnecting) every request reads Redis directly: fail closed, never fail open.

Decisions:

* **Unknown session ids are read from Redis, once.** The JWT alone is not trusted for a
  session the view has not seen (say, created a moment ago on another instance), because
  the ownership ids (WHMCS client, Salesforce account) live in the family, not in the
  token, and because this avoids an initial bulk load of every live session. The read is
  one HMGET per session per instance per access-token lifetime.
* **Subscribe before load.** A lookup's answer is kept only if the view was live when the
  lookup started, no revocation arrived while it ran, and no resubscription happened in
  between. A revocation either reached Redis before the HMGET (which then sees no family)
  or after it (and so was published to a subscription that already existed).
* **Resync on every (re)subscription:** known-alive entries are dropped, since
  revocations published while unsubscribed were missed; known-gone entries stay (a
  session id is 128 random bits and never comes back).
* **Memory is bounded:** at most ``session_view_max_entries`` entries, each kept for one
  access-token lifetime (after which every token that could name it has expired) and
  never past the family's own absolute expiry.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import structlog
from cachetools import TTLCache
from prometheus_client import Counter, Gauge
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.connection import Connection
from redis.exceptions import RedisError

from bff.auth.families import REVOKED_CHANNEL, Families, Owner

log = structlog.get_logger("bff.auth.sessions")

_LOOKUPS = Counter(
    "bff_auth_session_lookups_total",
    "Session checks of authenticated requests, by where the answer came from.",
    ["source"],
)
_FROM_VIEW = _LOOKUPS.labels("view")
_FROM_REDIS = _LOOKUPS.labels("redis")
_LIVE = Gauge("bff_auth_session_view_live", "1 while the local session view is trusted.")

_RECONNECT_INITIAL_S = 0.1
_RECONNECT_MAX_S = 2.0


@dataclass(frozen=True, slots=True)
class _Entry:
    owner: Owner | None  # None: the session is gone (revoked or expired)
    family_expires_at_ms: int


_GONE = _Entry(owner=None, family_expires_at_ms=0)


class SessionView:
    """Session id -> owner, current within ``staleness_s`` or not trusted at all."""

    def __init__(
        self,
        families: Families,
        redis: Redis,
        *,
        staleness_s: float,
        max_entries: int,
        entry_ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._families = families
        self._redis = redis
        self.staleness_s = staleness_s
        self._ping_every_s = staleness_s / 4
        self._clock = clock
        self._entries: TTLCache[str, _Entry] = TTLCache(max_entries, entry_ttl_s, timer=clock)
        self._fresh_until = float("-inf")
        # Bumped on every resubscription and every revocation received: a lookup that
        # overlapped one of them may hold an outdated answer and is not remembered.
        self._epoch = 0
        self.resyncs = 0
        # The subscription's connection while following (tests cut it to simulate a loss).
        self.subscription: Connection | None = None
        families.on_revoked(self.apply_revoked)

    @property
    def enabled(self) -> bool:
        return self.staleness_s > 0

    def live(self) -> bool:
        return self._clock() < self._fresh_until

    def known(self, sid: str) -> str:
        """``alive``, ``gone`` or ``unknown``: what the view holds for ``sid`` (diagnostics)."""
        entry = self._entries.get(sid)
        if entry is None:
            return "unknown"
        return "gone" if entry.owner is None else "alive"

    async def owner(self, sid: str) -> Owner | None:
        """The session's owner, or None once it is revoked or expired."""
        live = self.live()
        if live:
            entry = self._entries.get(sid)
            if entry is not None and (
                entry.owner is None or entry.family_expires_at_ms > _now_ms()
            ):
                _FROM_VIEW.inc()
                return entry.owner
        _FROM_REDIS.inc()
        epoch = self._epoch
        record = await self._families.session(sid)
        if record is None:
            self._entries[sid] = _GONE  # safe in any state: a gone session never returns
            return None
        if live and self.live() and epoch == self._epoch:
            self._entries[sid] = _Entry(record.owner, record.expires_at_ms)
        return record.owner

    def apply_revoked(self, sids: list[str]) -> None:
        self._epoch += 1
        for sid in sids:
            self._entries[sid] = _GONE

    def _resync(self) -> None:
        """Forget every session known alive: revocations may have been missed meanwhile."""
        self._epoch += 1
        self.resyncs += 1
        for sid, entry in list(self._entries.items()):
            if entry.owner is not None:
                self._entries.pop(sid, None)

    def _go_dark(self) -> None:
        self._fresh_until = float("-inf")
        self._epoch += 1
        _LIVE.set(0)

    async def run(self) -> None:
        """Keep the view current until cancelled; reconnect with backoff when Redis fails."""
        backoff = _RECONNECT_INITIAL_S
        while True:
            resyncs = self.resyncs
            try:
                await self._follow()
            except (RedisError, OSError) as exc:
                log.warning("auth.session_view_lost", error=type(exc).__name__)
            except Exception:
                # Anything else is a bug, but the view must keep trying: dark means every
                # request asks Redis (correct, only slower).
                log.exception("auth.session_view_failed")
            finally:
                self._go_dark()
            if self.resyncs != resyncs:  # it was subscribed: a fresh loss, retry soon
                backoff = _RECONNECT_INITIAL_S
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _RECONNECT_MAX_S)

    async def _follow(self) -> None:
        pubsub = self._redis.pubsub()
        guard = _ReconnectGuard()
        try:
            await pubsub.subscribe(REVOKED_CHANNEL)
            # The library reconnects and resubscribes on its own after some failures;
            # messages published in that gap are lost, so any reconnect must end this
            # subscription (and its trust) here.
            connection = self.subscription = _connection_of(pubsub)
            if connection is not None:
                connection.register_connect_callback(guard.on_connect)  # type: ignore[no-untyped-call]
            await self._await_subscribed(pubsub)
            self._resync()
            log.info("auth.session_view_subscribed")
            await self._pump(pubsub)
        finally:
            connection = _connection_of(pubsub)
            if connection is not None:
                connection.deregister_connect_callback(guard.on_connect)  # type: ignore[no-untyped-call]
            self.subscription = None
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _await_subscribed(self, pubsub: PubSub) -> None:
        deadline = self._clock() + max(self.staleness_s * 4, 1.0)
        while self._clock() < deadline:
            message = await pubsub.get_message(timeout=self._ping_every_s)
            if message is not None and message["type"] == "subscribe":
                return
        raise _SilentRedis("no subscribe confirmation")

    async def _pump(self, pubsub: PubSub) -> None:
        sent_at: dict[bytes, float] = {}
        counter = itertools.count()
        next_ping = self._clock()
        while True:
            now = self._clock()
            if now >= next_ping:
                token = str(next(counter)).encode()
                sent_at[token] = now
                await pubsub.ping(token)
                next_ping = now + self._ping_every_s
            if sent_at and now - min(sent_at.values()) > self.staleness_s * 4:
                raise _SilentRedis("no PONG")
            message = await pubsub.get_message(timeout=max(next_ping - self._clock(), 0.001))
            if message is not None:
                self._handle(message, sent_at)

    def _handle(self, message: dict[str, Any], sent_at: dict[bytes, float]) -> None:
        kind = message["type"]
        if kind == "message":
            payload = message["data"]
            text = payload.decode() if isinstance(payload, bytes) else str(payload)
            self.apply_revoked(text.split())
        elif kind == "pong":
            token = message["data"]
            sent = sent_at.pop(token if isinstance(token, bytes) else str(token).encode(), None)
            if sent is None:
                return
            # Older PINGs are answered in order; a missing answer is not waited for.
            for older in [t for t, at in sent_at.items() if at < sent]:
                del sent_at[older]
            if sent + self.staleness_s > self._fresh_until:
                was_live = self.live()
                self._fresh_until = sent + self.staleness_s
                if not was_live:
                    _LIVE.set(1)


class _SilentRedis(RedisError):
    """Redis did not answer on the subscription in time: stop trusting it and reconnect."""


def _connection_of(pubsub: PubSub) -> Connection | None:
    # Typed as always None by the library; it is set once subscribed.
    connection: Connection | None = getattr(pubsub, "connection", None)
    return connection


class _ReconnectGuard:
    # A class because the library keeps connect callbacks as weak *methods*.
    async def on_connect(self, _: object) -> None:
        raise _SilentRedis("subscription connection reconnected")


@asynccontextmanager
async def running(view: SessionView) -> AsyncIterator[SessionView]:
    """Follow revocations for the lifetime of the block (not at all when the view is off)."""
    if not view.enabled:
        yield view
        return
    task = asyncio.create_task(view.run(), name="auth-session-view")
    try:
        yield view
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


def _now_ms() -> int:
    return int(time.time() * 1000)
