"""The app wired to the provider sandboxes (real sockets), for the /api/me tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from integrations.sandbox import DevKeyPair, SandboxUrls, generate_dev_keypair, running_sandboxes
from tests.api.auth.support import Users, create_sandboxed_app, sandboxed_settings, serving_from
from tests.helpers import migrated_database


@pytest.fixture(scope="session")
def me_keys() -> DevKeyPair:
    return generate_dev_keypair()


@pytest_asyncio.fixture(scope="session")
async def me_sandboxes(me_keys: DevKeyPair) -> AsyncIterator[SandboxUrls]:
    async with running_sandboxes(salesforce_public_key_pem=me_keys.public_key_pem) as urls:
        yield urls


@pytest.fixture(scope="session")
def me_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own: these sandboxes hand out the same WHMCS/Salesforce ids as
    the auth tests' sandboxes, and the users table keeps those ids unique."""
    with migrated_database(tmp_path_factory.mktemp("me")) as url:
        yield url


@pytest.fixture(scope="session")
def me_app(
    me_database_url: str, redis_url: str, me_sandboxes: SandboxUrls, me_keys: DevKeyPair
) -> FastAPI:
    return create_sandboxed_app(
        sandboxed_settings(me_database_url, redis_url, me_sandboxes, me_keys)
    )


@pytest_asyncio.fixture(scope="session")
async def me_api(me_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with serving_from(me_app, ip="10.200.0.1") as client:
        yield client


@pytest.fixture(scope="session")
def me_users(me_database_url: str) -> Users:
    return Users(me_database_url)


@pytest_asyncio.fixture(scope="session")
async def sandbox_control() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client
