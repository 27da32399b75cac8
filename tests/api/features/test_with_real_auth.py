"""The customer routes behind the real bearer-token dependency (no override).

Its own app and SQLite database, so the linked demo users cannot clash with other suites'
users (WHMCS client ids are unique per portal user).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from bff.app import create_app
from bff.core.migrations import upgrade
from bff.settings import Settings
from integrations.sandbox.demo_data import HANAKO, TARO
from tests.api.auth.support import Users, bearer, login, serving_from


@pytest_asyncio.fixture(scope="module")
async def authed(
    feature_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    database = f"sqlite+aiosqlite:///{Path(tmp_path_factory.mktemp('authdb')) / 'bff.sqlite3'}"
    await asyncio.to_thread(upgrade, database)
    settings = feature_settings.model_copy(update={"database_url": database})
    users = Users(database)
    emails = {}
    for name, demo in (("taro", TARO), ("hanako", HANAKO)):
        user = await users.create(
            whmcs_client_id=demo.client_id,
            salesforce_account_id=demo.account_id,
            salesforce_contact_id=demo.contact_id,
        )
        emails[name] = user.email
    async with serving_from(create_app(settings)) as client:
        yield client, emails


async def _tokens(client: httpx.AsyncClient, emails: dict[str, str]) -> dict[str, str]:
    # Per test: each test starts with an empty Redis, where sessions live.
    return {
        name: str((await login(client, email))["accessToken"]) for name, email in emails.items()
    }


async def test_bearer_token_scopes_every_call_to_its_customer(
    authed: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    client, emails = authed
    tokens = await _tokens(client, emails)
    mine = await client.get("/api/invoices/1020", headers=bearer(tokens["taro"]))
    assert mine.status_code == 200
    theirs = await client.get("/api/invoices/1020", headers=bearer(tokens["hanako"]))
    assert theirs.status_code == 404
    dashboard = await client.get("/api/dashboard", headers=bearer(tokens["hanako"]))
    assert dashboard.status_code == 200
    assert dashboard.json()["subscriptions"] == {"active": 3, "total": 4}


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-jwt", "Basic dGFybzpwdw=="])
async def test_customer_routes_need_a_valid_token(
    authed: tuple[httpx.AsyncClient, dict[str, str]], authorization: str | None
) -> None:
    client, _ = authed
    headers = {"Authorization": authorization} if authorization else {}
    for path in ("/api/invoices", "/api/subscriptions", "/api/support/cases", "/api/dashboard"):
        response = await client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "auth.unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await client.get("/api/catalog/products", headers=headers)).status_code == 200
