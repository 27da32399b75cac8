"""Shared by the auth and me API tests: an app wired to the sandboxes, users, and logins."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
from argon2 import PasswordHasher
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import select

from bff.app import create_app
from bff.audit.models import AuditEvent
from bff.core.db import create_engine, create_session_factory
from bff.outbox.models import OutboxMessage
from bff.settings import Settings
from bff.users.models import User
from integrations.sandbox import DevKeyPair, SandboxUrls
from tests.helpers import make_settings

PASSWORD = "correct horse battery staple 42"
TEST_GRACE_S = 1.0
# argon2id at test cost: verification still takes real (if smaller) time.
_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


def sandboxed_settings(
    database_url: str,
    redis_url: str,
    urls: SandboxUrls,
    keys: DevKeyPair,
    **overrides: object,
) -> Settings:
    base = make_settings(database_url, redis_url)
    values: dict[str, object] = {
        "whmcs": base.whmcs.model_copy(
            update={"api_url": urls.whmcs_api_url, "deadline_s": 3.0, "read_timeout_s": 2.0}
        ),
        "salesforce": base.salesforce.model_copy(
            update={
                "login_url": urls.salesforce_login_url,
                "private_key_pem": SecretStr(keys.private_key_pem),
                "deadline_s": 3.0,
                "read_timeout_s": 2.0,
            }
        ),
        "freebit": base.freebit.model_copy(update={"base_url": urls.freebit_base_url}),
        "auth": base.auth.model_copy(update={"refresh_grace_s": TEST_GRACE_S}),
    }
    values.update(overrides)
    return make_settings(database_url, redis_url, **values)


@asynccontextmanager
async def serving_from(app: FastAPI, ip: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    """The app behind an in-process client whose requests come from ``ip``."""
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app, client=(ip, 40000)),
            base_url="http://testserver",
        ) as client,
    ):
        yield client


def client_from(client: httpx.AsyncClient, ip: str) -> httpx.AsyncClient:
    """Another client on the same running app, whose requests come from ``ip``."""
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=transport.app, client=(ip, 40000)),
        base_url="http://testserver",
    )


@dataclass
class Users:
    database_url: str

    async def create(
        self,
        *,
        password: str = PASSWORD,
        whmcs_client_id: int | None = None,
        salesforce_account_id: str | None = None,
        salesforce_contact_id: str | None = None,
        password_hash: str | None = None,
    ) -> User:
        engine = create_engine(self.database_url)
        try:
            async with create_session_factory(engine)() as session, session.begin():
                user = User(
                    email=f"user-{uuid.uuid4().hex[:12]}@example.jp",
                    password_hash=password_hash or _HASHER.hash(password),
                    first_name="Taro",
                    last_name="Test",
                    whmcs_client_id=whmcs_client_id,
                    salesforce_account_id=salesforce_account_id,
                    salesforce_contact_id=salesforce_contact_id,
                )
                session.add(user)
        finally:
            await engine.dispose()
        return user

    async def get(self, user_id: uuid.UUID) -> User | None:
        engine = create_engine(self.database_url)
        try:
            async with create_session_factory(engine)() as session:
                return await session.get(User, user_id)
        finally:
            await engine.dispose()


async def login(
    api: httpx.AsyncClient, email: str, password: str = PASSWORD, *, transport: str = "body"
) -> dict[str, object]:
    response = await api.post(
        "/api/auth/login", json={"email": email, "password": password, "tokenTransport": transport}
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    if transport == "cookie":
        body["cookie"] = response.cookies.get("bff_refresh")
    return body


def bearer(token: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def clear_auth_keys(redis_url: str) -> None:
    """Forget throttling state of earlier runs (a real Redis outlives the test run)."""
    if redis_url.startswith("memory://"):
        return
    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match="auth:thr:*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


def create_sandboxed_app(settings: Settings) -> FastAPI:
    return create_app(settings)


async def outbox_for(database_url: str, recipient: str) -> list[OutboxMessage]:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            rows = await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == recipient)
                .order_by(OutboxMessage.created_at)
            )
            return list(rows)
    finally:
        await engine.dispose()


async def audit_for(database_url: str, user_id: uuid.UUID | None) -> list[AuditEvent]:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            rows = await session.scalars(
                select(AuditEvent).where(AuditEvent.user_id == user_id).order_by(AuditEvent.id)
            )
            return list(rows)
    finally:
        await engine.dispose()


def reset_token_of(message: OutboxMessage) -> str:
    link = str(message.payload["link"])
    return parse_qs(urlsplit(link).query)["token"][0]
