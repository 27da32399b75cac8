"""An app wired to the provider sandboxes (real sockets), shared by the auth API tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from integrations.sandbox import DevKeyPair, SandboxUrls, generate_dev_keypair, running_sandboxes
from tests.api.auth.support import (
    Users,
    clear_auth_keys,
    create_sandboxed_app,
    sandboxed_settings,
    serving_from,
)


@pytest.fixture(scope="session")
def sandbox_keys() -> DevKeyPair:
    return generate_dev_keypair()


@pytest_asyncio.fixture(scope="session")
async def auth_sandboxes(sandbox_keys: DevKeyPair) -> AsyncIterator[SandboxUrls]:
    async with running_sandboxes(salesforce_public_key_pem=sandbox_keys.public_key_pem) as urls:
        yield urls


@pytest.fixture(scope="session")
def auth_app(
    database_url: str, redis_url: str, auth_sandboxes: SandboxUrls, sandbox_keys: DevKeyPair
) -> FastAPI:
    return create_sandboxed_app(
        sandboxed_settings(database_url, redis_url, auth_sandboxes, sandbox_keys)
    )


@pytest_asyncio.fixture(scope="session")
async def api(auth_app: FastAPI, redis_url: str) -> AsyncIterator[httpx.AsyncClient]:
    await clear_auth_keys(redis_url)
    async with serving_from(auth_app) as client:
        yield client


@pytest.fixture(scope="session")
def users(database_url: str) -> Users:
    return Users(database_url)


@pytest_asyncio.fixture(scope="session")
async def control() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client
