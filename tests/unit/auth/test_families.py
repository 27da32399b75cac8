"""The rotation script, on fakeredis (embedded default) and on a real Redis when configured."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from fakeredis import FakeAsyncRedis, FakeServer
from redis.asyncio import Redis

from bff.auth.families import Families, Owner, Rotation, family_key, used_key, user_key
from bff.settings import AuthSettings
from tests.helpers import TEST_REDIS_URL


def _owner() -> Owner:
    # A fresh user per test: a real Redis keeps state between runs.
    return Owner(
        user_id=str(uuid.uuid4()),
        whmcs_client_id="7",
        salesforce_account_id="001xx0000000001AAA",
        salesforce_contact_id=None,
    )


OWNER = _owner()


@pytest.fixture(params=["fakeredis", "redis"])
async def redis(request: pytest.FixtureRequest) -> AsyncIterator[Redis]:
    if request.param == "fakeredis":
        client: Redis = FakeAsyncRedis(server=FakeServer())
    else:
        if not TEST_REDIS_URL:
            pytest.skip("real Redis runs in the real-services pass (BFF_TEST_REDIS_URL)")
        client = Redis.from_url(TEST_REDIS_URL)
    try:
        yield client
    finally:
        await client.aclose()


def families(redis: Redis, grace_s: float = 5.0) -> Families:
    return Families(redis, AuthSettings(refresh_grace_s=grace_s))


async def test_rotation_chain(redis: Redis) -> None:
    fam = families(redis)
    sid, t0 = await fam.create(OWNER, user_agent="ua")
    first = await fam.rotate(t0, user_agent="ua")
    assert first.outcome is Rotation.ROTATED
    assert first.session_id == sid
    assert first.user_id == OWNER.user_id
    assert first.token is not None
    assert first.token.startswith(f"{sid}.")
    second = await fam.rotate(first.token, user_agent="ua")
    assert second.outcome is Rotation.ROTATED
    assert second.token not in (t0, first.token)


async def test_tokens_are_stored_hashed_only(redis: Redis) -> None:
    fam = families(redis)
    sid, t0 = await fam.create(OWNER, user_agent=None)
    stored = await redis.hgetall(family_key(sid))  # type: ignore[misc]
    assert t0.encode() not in b"".join(stored.values())
    assert t0.partition(".")[2].encode() not in b"".join(stored.values())


async def test_keys_expire_with_the_family(redis: Redis) -> None:
    fam = families(redis)
    sid, t0 = await fam.create(OWNER, user_agent=None)
    await fam.rotate(t0, user_agent=None)
    week = AuthSettings().refresh_token_ttl_s
    for key in (family_key(sid), used_key(sid), user_key(OWNER.user_id)):
        assert 0 < await redis.ttl(key) <= week


async def test_grace_returns_the_same_successor_then_expires(redis: Redis) -> None:
    fam = families(redis, grace_s=0.3)
    _, t0 = await fam.create(OWNER, user_agent=None)
    t1 = (await fam.rotate(t0, user_agent=None)).token
    again = await fam.rotate(t0, user_agent=None)
    assert again.outcome is Rotation.GRACE
    assert again.token == t1
    await asyncio.sleep(0.4)
    late = await fam.rotate(t0, user_agent=None)
    assert late.outcome is Rotation.REUSED
    assert t1 is not None
    assert (await fam.rotate(t1, user_agent=None)).outcome is Rotation.INVALID


async def test_twenty_concurrent_rotations_make_one_successor(redis: Redis) -> None:
    fam = families(redis)
    owner = _owner()
    sid, t0 = await fam.create(owner, user_agent=None)
    results = await asyncio.gather(*(fam.rotate(t0, user_agent=None) for _ in range(20)))
    outcomes = [r.outcome for r in results]
    assert outcomes.count(Rotation.ROTATED) == 1
    assert outcomes.count(Rotation.GRACE) == 19
    assert len({r.token for r in results}) == 1
    assert await redis.smembers(used_key(sid)) == {_hash(t0)}  # type: ignore[misc]
    assert [f.session_id for f in await fam.list(owner.user_id)] == [sid]


async def test_unknown_and_malformed_tokens_are_invalid_and_harmless(redis: Redis) -> None:
    fam = families(redis)
    sid, t0 = await fam.create(OWNER, user_agent=None)
    for token in ("", "garbage", f"{sid}.forged", "nosid.x", "." * 3):
        assert (await fam.rotate(token, user_agent=None)).outcome is Rotation.INVALID
    assert (await fam.rotate(t0, user_agent=None)).outcome is Rotation.ROTATED


async def test_revoke_all_keeps_the_named_session(redis: Redis) -> None:
    fam = families(redis)
    owner = _owner()
    keep, _ = await fam.create(owner, user_agent=None)
    await fam.create(owner, user_agent=None)
    await fam.create(owner, user_agent=None)
    assert await fam.revoke_all(owner.user_id, keep=keep) == 2
    assert [f.session_id for f in await fam.list(owner.user_id)] == [keep]
    assert await fam.owner(keep) == owner


async def test_the_script_is_loaded_again_after_a_script_flush(redis: Redis) -> None:
    fam = families(redis)
    _, t0 = await fam.create(OWNER, user_agent=None)
    await redis.script_flush()
    assert (await fam.rotate(t0, user_agent=None)).outcome is Rotation.ROTATED


def _hash(token: str) -> bytes:
    from bff.auth.families import token_hash

    return token_hash(token).encode()


async def test_absolute_lifetime_is_enforced_even_if_the_key_lingers(redis: Redis) -> None:
    fam = families(redis)
    sid, t0 = await fam.create(_owner(), user_agent=None)
    await redis.hset(family_key(sid), "exp", 1)  # type: ignore[misc]  # long past
    assert (await fam.rotate(t0, user_agent=None)).outcome is Rotation.INVALID
    assert not await redis.exists(family_key(sid), used_key(sid))
