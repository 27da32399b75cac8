"""Two app instances on one Redis: a session ended on A is refused on B within the bound.

Both instances are the real app (lifespan, middlewares, dependency) served in-process; on
the embedded default they share one fakeredis server, in the real-services pass one Redis.
Access tokens and families are minted directly: logging in is not what is under test.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from fakeredis import FakeAsyncRedis, FakeServer
from fastapi import APIRouter, FastAPI
from redis.asyncio import Redis

import bff.app
from bff.app import create_app
from bff.auth.dependencies import CurrentPrincipal
from bff.auth.families import Families, Owner
from bff.auth.runtime import Auth
from bff.auth.tokens import AccessTokens
from tests.helpers import make_settings, serving

WAIT_CAP_S = 10.0


def _with_whoami(app: FastAPI) -> FastAPI:
    probe = APIRouter(prefix="/probe")

    @probe.get("/whoami")
    async def whoami(principal: CurrentPrincipal) -> dict[str, str]:
        return {"userId": str(principal.user_id), "sessionId": principal.session_id}

    app.include_router(probe)
    return app


class Counting:
    """Counts the commands an app sends outside its subscription (pooled connections)."""

    def __init__(self) -> None:
        self.commands = 0

    def wrap(self, redis: Redis) -> Redis:
        pool: Any = redis.connection_pool
        acquire = pool.get_connection

        async def counting(*args: Any, **kwargs: Any) -> Any:
            self.commands += 1
            return await acquire(*args, **kwargs)

        pool.get_connection = counting
        return redis


@pytest.fixture
async def two_instances(
    database_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, Auth, Counting]]:
    server = FakeServer()
    counters = [Counting(), Counting()]

    def shared_redis(url: str, *, max_connections: int = 64) -> Redis:
        client: Redis = (
            FakeAsyncRedis(server=server)
            if url.startswith("memory://")
            else Redis.from_url(url, max_connections=max_connections)
        )
        return counters.pop(0).wrap(client) if counters else client

    b_counter = counters[1]
    monkeypatch.setattr(bff.app, "create_redis", shared_redis)
    settings = make_settings(database_url, redis_url)
    async with AsyncExitStack() as stack:
        apps = [_with_whoami(create_app(settings)) for _ in range(2)]
        a = await stack.enter_async_context(serving(apps[0]))
        b = await stack.enter_async_context(serving(apps[1]))
        views = [app.state.bff_auth.sessions for app in apps]
        await _until(lambda: all(view.live() for view in views))
        yield a, b, apps[1].state.bff_auth, b_counter


async def _until(condition: Callable[[], bool]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_CAP_S
    while not condition():
        assert loop.time() < deadline, f"not reached within {WAIT_CAP_S} s"
        await asyncio.sleep(0.01)


async def _signed_in(auth: Auth) -> tuple[str, str, str]:
    """One user with two sessions (two devices): (session 2 id, token 1, token 2)."""
    owner = Owner(
        user_id=str(uuid.uuid4()),
        whmcs_client_id="7",
        salesforce_account_id="001xx0000000001AAA",
        salesforce_contact_id=None,
    )
    families = Families(auth.redis, auth.settings)
    sid1, _ = await families.create(owner, user_agent="phone")
    sid2, _ = await families.create(owner, user_agent="laptop")
    tokens = AccessTokens(auth.settings)
    token1 = tokens.issue(user_id=owner.user_id, session_id=sid1)
    token2 = tokens.issue(user_id=owner.user_id, session_id=sid2)
    return sid2, token1, token2


async def test_a_session_ended_on_a_is_refused_on_b_within_the_bound(
    two_instances: tuple[httpx.AsyncClient, httpx.AsyncClient, Auth, Counting],
) -> None:
    a, b, b_auth, b_redis = two_instances
    sid2, token1, token2 = await _signed_in(b_auth)
    laptop = {"Authorization": f"Bearer {token2}"}

    assert (await b.get("/probe/whoami", headers=laptop)).status_code == 200
    before = b_redis.commands
    for _ in range(50):
        assert (await b.get("/probe/whoami", headers=laptop)).status_code == 200
    assert b_redis.commands == before, "authenticated requests on a warm instance use no Redis"

    ended = await a.delete(
        f"/api/auth/sessions/{sid2}", headers={"Authorization": f"Bearer {token1}"}
    )
    assert ended.status_code == 204
    # The guarantee: one staleness bound after A answered, B refuses, pushed or not.
    await asyncio.sleep(b_auth.settings.session_view_staleness_s)
    refused = await b.get("/probe/whoami", headers=laptop)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "The session has ended; sign in again."
    phone = {"Authorization": f"Bearer {token1}"}
    assert (await b.get("/probe/whoami", headers=phone)).status_code == 200
