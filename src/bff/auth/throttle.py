"""Brute-force protection in Redis: per account and per client IP, with growing delays.

Failures are counted per scope (``login``, ``forgot``...) for the account (a hash of the
normalised email, whether or not such an account exists, so unknown emails are
throttled exactly like known ones) and for the client IP. Past the free attempts, each
further failure locks that key for ``base * 2^n`` seconds, capped; a locked key answers
429 ``auth.throttled`` with ``Retry-After`` before any password is looked at. A success
clears the account's count (not the IP's).
"""

from __future__ import annotations

import hashlib
import math

from redis.asyncio import Redis

from bff.auth.errors import Throttled
from bff.settings import AuthSettings


def _account(email: str) -> str:
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]


class Throttle:
    def __init__(self, redis: Redis, settings: AuthSettings) -> None:
        self._redis = redis
        self._account_free = settings.throttle_account_free_attempts
        self._ip_free = settings.throttle_ip_free_attempts
        self._base_ms = settings.throttle_base_delay_s * 1000
        self._max_ms = settings.throttle_max_delay_s * 1000
        self._window_s = settings.throttle_window_s

    def _keys(self, scope: str, email: str, ip: str) -> tuple[tuple[str, str], tuple[str, str]]:
        account = f"auth:thr:{scope}:acct:{_account(email)}"
        client = f"auth:thr:{scope}:ip:{ip}"
        return (f"{account}:n", f"{account}:lock"), (f"{client}:n", f"{client}:lock")

    async def check(self, scope: str, *, email: str, ip: str) -> None:
        """Raise :class:`Throttled` while the account or the IP is locked."""
        (_, account_lock), (_, ip_lock) = self._keys(scope, email, ip)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.pttl(account_lock)
            pipe.pttl(ip_lock)
            remaining = await pipe.execute()
        longest = max(int(ms) for ms in remaining)
        if longest > 0:
            raise Throttled(retry_after_s=math.ceil(longest / 1000))

    async def failure(self, scope: str, *, email: str, ip: str) -> None:
        (account_n, account_lock), (ip_n, ip_lock) = self._keys(scope, email, ip)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(account_n)
            pipe.expire(account_n, self._window_s)
            pipe.incr(ip_n)
            pipe.expire(ip_n, self._window_s)
            account_count, _, ip_count, _ = await pipe.execute()
        locks = [
            (account_lock, self._delay_ms(int(account_count), self._account_free)),
            (ip_lock, self._delay_ms(int(ip_count), self._ip_free)),
        ]
        locks = [(key, delay) for key, delay in locks if delay > 0]
        if locks:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, delay in locks:
                    pipe.set(key, "1", px=delay)
                await pipe.execute()

    async def success(self, scope: str, *, email: str) -> None:
        (account_n, account_lock), _ = self._keys(scope, email, "-")
        await self._redis.delete(account_n, account_lock)

    async def count(self, scope: str, *, email: str, ip: str) -> None:
        """Count an attempt that always 'fails' (rate-limited operations like forgot)."""
        await self.failure(scope, email=email, ip=ip)

    def _delay_ms(self, failures: int, free: int) -> int:
        over = failures - free
        if over <= 0:
            return 0
        return int(min(self._max_ms, self._base_ms * 2 ** min(over - 1, 30)))
