"""Brute-force throttling (per account, per IP) and the audit trail of security events."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx

from tests.api.auth.support import PASSWORD, TEST_GRACE_S, Users, audit_for, client_from, login


async def _attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


class TestThrottling:
    async def test_an_account_is_locked_after_repeated_failures_even_for_the_right_password(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        async with client_from(api, f"10.1.{uuid.uuid4().int % 250}.1") as attacker:
            for _ in range(6):
                assert (
                    await _attempt(attacker, user.email, "guess-guess-guess")
                ).status_code == 401
            locked = await _attempt(attacker, user.email, PASSWORD)
        assert locked.status_code == 429
        assert locked.json()["code"] == "auth.throttled"
        assert int(locked.headers["retry-after"]) >= 1
        # The lock is on the account: another address is refused too, until it expires.
        async with client_from(api, "10.2.0.1") as elsewhere:
            assert (await _attempt(elsewhere, user.email, PASSWORD)).status_code == 429
            await asyncio.sleep(1.1)
            assert (await _attempt(elsewhere, user.email, PASSWORD)).status_code == 200

    async def test_unknown_emails_are_throttled_like_known_ones(
        self, api: httpx.AsyncClient
    ) -> None:
        email = f"ghost-{uuid.uuid4().hex[:8]}@example.jp"
        async with client_from(api, "10.3.0.1") as attacker:
            codes = [(await _attempt(attacker, email, "guess-guess")).status_code for _ in range(7)]
        assert codes[:6] == [401] * 6
        assert codes[6] == 429

    async def test_one_address_trying_many_accounts_is_throttled(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        async with client_from(api, "10.4.0.1") as sprayer:
            for i in range(21):
                await _attempt(sprayer, f"spray-{i}-{uuid.uuid4().hex[:6]}@example.jp", "x" * 12)
            blocked = await _attempt(sprayer, user.email, PASSWORD)
        assert blocked.status_code == 429
        async with client_from(api, "10.4.0.2") as neighbour:
            assert (await _attempt(neighbour, user.email, PASSWORD)).status_code == 200

    async def test_a_success_clears_the_account_count(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        async with client_from(api, "10.5.0.1") as client:
            for _ in range(4):
                await _attempt(client, user.email, "typo-typo-typo")
            assert (await _attempt(client, user.email, PASSWORD)).status_code == 200
            for _ in range(4):
                await _attempt(client, user.email, "typo-typo-typo")
            assert (await _attempt(client, user.email, PASSWORD)).status_code == 200


class TestAudit:
    async def test_security_events_are_recorded_without_secrets(
        self, api: httpx.AsyncClient, users: Users, database_url: str
    ) -> None:
        user = await users.create()
        async with client_from(api, "10.6.0.1") as client:
            await _attempt(client, user.email, "wrong-password-here")
        session = await login(api, user.email)
        rotated = await api.post(
            "/api/auth/refresh", json={"refreshToken": session["refreshToken"]}
        )
        await asyncio.sleep(TEST_GRACE_S + 0.2)
        await api.post("/api/auth/refresh", json={"refreshToken": session["refreshToken"]})
        second = await login(api, user.email)
        await api.post(
            "/api/auth/password/change",
            json={"currentPassword": PASSWORD, "newPassword": "Arashiyama-Bamboo-Grove"},
            headers={"Authorization": f"Bearer {second['accessToken']}"},
        )
        await api.post("/api/auth/logout", json={"refreshToken": second["refreshToken"]})

        events = await audit_for(database_url, user.id)
        types = [event.event_type for event in events]
        for expected in (
            "auth.login_failed",
            "auth.login",
            "auth.refresh_reused",
            "auth.password_changed",
            "auth.logout",
        ):
            assert expected in types, types
        dumped = json.dumps([event.details for event in events])
        secrets = (
            user.email,
            PASSWORD,
            str(session["refreshToken"]),
            str(rotated.json()["refreshToken"]),
            str(session["accessToken"]),
        )
        for secret in secrets:
            assert secret not in dumped
        assert all(event.request_id for event in events)

    async def test_unknown_account_failures_are_recorded_without_the_email(
        self, api: httpx.AsyncClient, database_url: str
    ) -> None:
        email = f"unknown-{uuid.uuid4().hex[:8]}@example.jp"
        async with client_from(api, "10.7.0.1") as client:
            await _attempt(client, email, "whatever-whatever")
        events = await audit_for(database_url, None)
        assert any(e.details.get("reason") == "unknown_account" for e in events)
        assert email not in json.dumps([e.details for e in events])
