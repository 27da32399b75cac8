"""Forgot / reset / change password, with the outbox and session revocation."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from redis.asyncio import Redis

from tests.api.auth.support import (
    PASSWORD,
    Users,
    bearer,
    client_from,
    login,
    outbox_for,
    reset_token_of,
)

NEW_PASSWORD = "Fushimi-Inari-Gates-1000"


async def _forgot(api: httpx.AsyncClient, email: str) -> httpx.Response:
    return await api.post("/api/auth/password/forgot", json={"email": email})


class TestForgotAndReset:
    async def test_forgot_is_202_either_way_and_queues_one_email(
        self, api: httpx.AsyncClient, users: Users, database_url: str
    ) -> None:
        user = await users.create()
        known = await _forgot(api, user.email)
        unknown = await _forgot(api, "no-account-here@example.jp")
        assert known.status_code == unknown.status_code == 202
        assert known.content == unknown.content == b""
        messages = await outbox_for(database_url, user.email)
        assert len(messages) == 1
        assert messages[0].topic == "password_reset"
        assert reset_token_of(messages[0])
        assert await outbox_for(database_url, "no-account-here@example.jp") == []

    async def test_reset_sets_the_password_revokes_sessions_and_is_single_use(
        self, api: httpx.AsyncClient, users: Users, database_url: str
    ) -> None:
        user = await users.create()
        session = await login(api, user.email)
        await _forgot(api, user.email)
        token = reset_token_of((await outbox_for(database_url, user.email))[-1])
        body = {"token": token, "newPassword": NEW_PASSWORD}
        response = await api.post("/api/auth/password/reset", json=body)
        assert response.status_code == 204
        denied = await api.get("/api/auth/sessions", headers=bearer(session["accessToken"]))
        assert denied.status_code == 401
        refresh = await api.post(
            "/api/auth/refresh", json={"refreshToken": session["refreshToken"]}
        )
        assert refresh.status_code == 401
        await login(api, user.email, NEW_PASSWORD)
        old = await api.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
        assert old.status_code == 401

        reused = await api.post("/api/auth/password/reset", json=body)
        assert reused.status_code == 400
        assert reused.json()["code"] == "auth.reset_token_invalid"

    async def test_expired_or_forged_tokens_are_400(
        self, api: httpx.AsyncClient, users: Users, database_url: str, auth_app: FastAPI
    ) -> None:
        user = await users.create()
        await _forgot(api, user.email)
        token = reset_token_of((await outbox_for(database_url, user.email))[-1])
        await _expire_reset_tokens(auth_app)
        for candidate in (token, "forged-token"):
            response = await api.post(
                "/api/auth/password/reset", json={"token": candidate, "newPassword": NEW_PASSWORD}
            )
            assert response.status_code == 400
            assert response.json()["code"] == "auth.reset_token_invalid"

    async def test_a_weak_new_password_keeps_the_token_usable(
        self, api: httpx.AsyncClient, users: Users, database_url: str
    ) -> None:
        user = await users.create()
        await _forgot(api, user.email)
        token = reset_token_of((await outbox_for(database_url, user.email))[-1])
        weak = await api.post(
            "/api/auth/password/reset", json={"token": token, "newPassword": "password"}
        )
        assert weak.status_code == 422
        assert weak.json()["errors"][0]["field"] == "newPassword"
        ok = await api.post(
            "/api/auth/password/reset", json={"token": token, "newPassword": NEW_PASSWORD}
        )
        assert ok.status_code == 204

    async def test_forgot_is_rate_limited(self, api: httpx.AsyncClient, users: Users) -> None:
        user = await users.create()
        async with client_from(api, "10.9.9.9") as other:
            statuses = [
                (await other.post("/api/auth/password/forgot", json={"email": user.email}))
                for _ in range(8)
            ]
        assert statuses[0].status_code == 202
        assert statuses[-1].status_code == 429
        assert statuses[-1].json()["code"] == "auth.throttled"
        assert int(statuses[-1].headers["retry-after"]) >= 1


class TestChange:
    async def test_change_keeps_this_session_and_ends_the_others(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        this = await login(api, user.email)
        other = await login(api, user.email)
        response = await api.post(
            "/api/auth/password/change",
            json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD},
            headers=bearer(this["accessToken"]),
        )
        assert response.status_code == 204
        assert (
            await api.get("/api/auth/sessions", headers=bearer(this["accessToken"]))
        ).status_code == 200
        assert (
            await api.get("/api/auth/sessions", headers=bearer(other["accessToken"]))
        ).status_code == 401
        await login(api, user.email, NEW_PASSWORD)

    async def test_wrong_current_password_is_401(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        session = await login(api, user.email)
        response = await api.post(
            "/api/auth/password/change",
            json={"currentPassword": "not my password", "newPassword": NEW_PASSWORD},
            headers=bearer(session["accessToken"]),
        )
        assert response.status_code == 401
        assert response.json()["code"] == "auth.invalid_credentials"

    async def test_change_needs_a_bearer_token(self, api: httpx.AsyncClient) -> None:
        response = await api.post(
            "/api/auth/password/change",
            json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD},
        )
        assert response.status_code == 401


async def _expire_reset_tokens(app: FastAPI) -> None:
    """Let every outstanding reset token run out (as 30 minutes would)."""
    redis: Redis = app.state.bff_auth.redis
    async for key in redis.scan_iter(match="auth:reset:*"):
        if not key.startswith(b"auth:reset:user:"):
            await redis.delete(key)
