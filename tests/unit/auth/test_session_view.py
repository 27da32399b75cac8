"""The local session view: push-applied revocations, zero Redis commands when warm, fail closed.

Runs on fakeredis (embedded default) and on a real Redis when configured. Every wait is a
poll with a generous cap, never a timing assertion: a correct view passes on a loaded
machine too, because past its staleness bound it falls back to Redis instead of guessing.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fakeredis import FakeAsyncRedis, FakeServer
from redis.asyncio import Redis

from bff.auth.families import Families, Owner, family_key
from bff.auth.session_view import SessionView, running
from bff.settings import AuthSettings
from tests.helpers import TEST_REDIS_URL

STALENESS_S = 1.0
WAIT_CAP_S = 10.0


def _owner() -> Owner:
    return Owner(
        user_id=str(uuid.uuid4()),
        whmcs_client_id="7",
        salesforce_account_id="001xx0000000001AAA",
        salesforce_contact_id=None,
    )


@pytest.fixture(params=["fakeredis", "redis"])
def connect(request: pytest.FixtureRequest) -> Callable[[], Redis]:
    """Makes clients of one Redis: each stands for another process's connection pool."""
    if request.param == "fakeredis":
        server = FakeServer()
        return lambda: FakeAsyncRedis(server=server)
    if not TEST_REDIS_URL:
        pytest.skip("real Redis runs in the real-services pass (BFF_TEST_REDIS_URL)")
    return lambda: Redis.from_url(TEST_REDIS_URL)


class Instance:
    """One process's auth state: its own Redis client, families and session view."""

    def __init__(self, redis: Redis, clock: Callable[[], float] = time.monotonic) -> None:
        self.redis = redis
        self.families = Families(redis, AuthSettings())
        self.view = SessionView(
            self.families,
            redis,
            staleness_s=STALENESS_S,
            max_entries=1000,
            entry_ttl_s=900,
            clock=clock,
        )
        self.commands = 0
        pool: Any = redis.connection_pool
        acquire = pool.get_connection

        async def counting(*args: Any, **kwargs: Any) -> Any:
            # Every command outside the subscription takes a pooled connection.
            self.commands += 1
            return await acquire(*args, **kwargs)

        pool.get_connection = counting

    @contextmanager
    def counted(self) -> Iterator[list[int]]:
        before = self.commands
        box = [0]
        yield box
        box[0] = self.commands - before


@pytest.fixture
async def instances(connect: Callable[[], Redis]) -> AsyncIterator[tuple[Instance, Instance]]:
    a, b = Instance(connect()), Instance(connect())
    async with running(a.view), running(b.view):
        await until(lambda: a.view.live() and b.view.live())
        yield a, b
    await a.redis.aclose()
    await b.redis.aclose()


async def until(condition: Callable[[], bool], what: str = "condition") -> None:
    deadline = time.monotonic() + WAIT_CAP_S
    while not condition():
        assert time.monotonic() < deadline, f"{what} not reached in {WAIT_CAP_S} s"
        await asyncio.sleep(0.01)


async def test_warm_session_costs_no_redis_command(instances: tuple[Instance, Instance]) -> None:
    a, _ = instances
    owner = _owner()
    sid, _ = await a.families.create(owner, user_agent=None)
    with a.counted() as first:
        assert await a.view.owner(sid) == owner
    assert first[0] == 1, "an unknown session is read from Redis once"
    with a.counted() as steady:
        for _ in range(200):
            assert await a.view.owner(sid) == owner
    assert steady[0] == 0, "a known session must not touch Redis"


async def test_revocation_on_one_instance_reaches_the_other(
    instances: tuple[Instance, Instance],
) -> None:
    a, b = instances
    sid, _ = await a.families.create(_owner(), user_agent=None)
    assert await b.view.owner(sid) is not None
    assert b.view.known(sid) == "alive"
    await a.families.revoke(sid)
    assert a.view.known(sid) == "gone", "the revoking instance knows at once"
    await until(lambda: b.view.known(sid) == "gone", "push to the other instance")
    with b.counted() as calls:
        assert await b.view.owner(sid) is None
    assert calls[0] == 0


async def test_logout_all_and_reuse_are_pushed(instances: tuple[Instance, Instance]) -> None:
    a, b = instances
    owner = _owner()
    sids = [(await a.families.create(owner, user_agent=None))[0] for _ in range(3)]
    for sid in sids:
        assert await b.view.owner(sid) == owner
    assert await a.families.revoke_all(owner.user_id, keep=sids[0]) == 2
    await until(lambda: [b.view.known(s) for s in sids] == ["alive", "gone", "gone"])

    # Refresh-token reuse revokes the family inside the Lua script, which publishes too.
    sid, token = await a.families.create(_owner(), user_agent=None)
    assert await b.view.owner(sid) is not None
    rotated = await a.families.rotate(token, user_agent=None)
    assert rotated.token is not None
    await a.families.rotate(rotated.token, user_agent=None)
    assert (await a.families.rotate(token, user_agent=None)).outcome.value == "reused"
    await until(lambda: b.view.known(sid) == "gone", "reuse pushed")


async def test_a_revoked_session_is_refused_after_the_bound_whatever_the_push(
    instances: tuple[Instance, Instance],
) -> None:
    a, b = instances
    sid, _ = await a.families.create(_owner(), user_agent=None)
    assert await b.view.owner(sid) is not None
    await a.families.revoke(sid)
    await asyncio.sleep(STALENESS_S)
    assert await b.view.owner(sid) is None


async def test_lost_subscription_falls_back_to_redis_and_recovers(
    instances: tuple[Instance, Instance],
) -> None:
    _, b = instances
    owner = _owner()
    sid, _ = await b.families.create(owner, user_agent=None)
    assert await b.view.owner(sid) == owner
    resyncs = b.view.resyncs
    assert b.view.subscription is not None
    await b.view.subscription.disconnect()
    # A revocation nobody hears: deleted without a publish (as if sent while cut off).
    await b.redis.delete(family_key(sid))
    await until(lambda: not b.view.live(), "the view notices the loss")
    with b.counted() as calls:
        assert await b.view.owner(sid) is None, "fail closed: Redis is asked"
    assert calls[0] == 1

    await until(lambda: b.view.live() and b.view.resyncs > resyncs, "resubscribed")
    other, _ = await b.families.create(owner, user_agent=None)
    assert await b.view.owner(other) == owner
    with b.counted() as steady:
        assert await b.view.owner(other) == owner
    assert steady[0] == 0, "back to zero Redis commands once resubscribed"


async def test_resubscription_forgets_sessions_known_alive(connect: Callable[[], Redis]) -> None:
    b = Instance(connect())
    async with running(b.view):
        await until(b.view.live)
        sid, _ = await b.families.create(_owner(), user_agent=None)
        assert await b.view.owner(sid) is not None
        assert b.view.subscription is not None
        await b.view.subscription.disconnect()
        await until(lambda: b.view.resyncs >= 2 and b.view.live(), "resubscribed")
        # Revocations published while cut off were missed: the entry must be read again.
        assert b.view.known(sid) == "unknown"
    await b.redis.aclose()


async def test_a_silent_subscription_is_not_trusted(connect: Callable[[], Redis]) -> None:
    skew = [0.0]
    b = Instance(connect(), clock=lambda: time.monotonic() + skew[0])
    async with running(b.view):
        await until(b.view.live)
        sid, _ = await b.families.create(_owner(), user_agent=None)
        assert await b.view.owner(sid) is not None
        # No PONG for longer than the bound (as when Redis or the link stalls).
        skew[0] += STALENESS_S * 2
        assert not b.view.live()
        await b.redis.delete(family_key(sid))
        assert await b.view.owner(sid) is None
    await b.redis.aclose()


async def test_unknown_sessions_answered_while_dark_are_not_remembered(
    connect: Callable[[], Redis],
) -> None:
    b = Instance(connect())  # never started: not subscribed, as at start-up
    sid, _ = await b.families.create(_owner(), user_agent=None)
    assert await b.view.owner(sid) is not None
    assert b.view.known(sid) == "unknown"
    with b.counted() as calls:
        assert await b.view.owner(sid) is not None
    assert calls[0] == 1
    await b.redis.aclose()


async def test_entries_expire_with_the_access_token_lifetime(
    connect: Callable[[], Redis],
) -> None:
    now = [time.monotonic()]
    b = Instance(connect(), clock=lambda: now[0])
    b.view._fresh_until = float("inf")  # trusted, without a subscriber: only the TTL moves
    sid, _ = await b.families.create(_owner(), user_agent=None)
    assert await b.view.owner(sid) is not None
    assert b.view.known(sid) == "alive"
    now[0] += 901
    assert b.view.known(sid) == "unknown"
    await b.redis.aclose()
