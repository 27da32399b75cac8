"""Shared fixtures: which database and Redis the suite runs against, and the app under test.

The suite runs on the embedded default (SQLite file + in-process fakeredis) unless
`BFF_TEST_DATABASE_URL` (PostgreSQL) and/or `BFF_TEST_REDIS_URL` name real servers. A
configured server that does not answer fails the run instead of skipping tests, so CI
cannot go green without having exercised the real services.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import make_url
from tests.helpers import make_settings, serving

from bff.app import create_app
from bff.core.migrations import upgrade
from bff.settings import Settings

TEST_DATABASE_URL = os.environ.get("BFF_TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("BFF_TEST_REDIS_URL", "")


def pytest_report_header() -> list[str]:
    database = make_url(TEST_DATABASE_URL).render_as_string() if TEST_DATABASE_URL else "sqlite"
    return [f"bff test services: database={database} redis={TEST_REDIS_URL or 'fakeredis'}"]


def pytest_sessionstart(session: pytest.Session) -> None:
    problems = []
    if TEST_DATABASE_URL:
        try:
            asyncio.run(_ping_postgres(TEST_DATABASE_URL))
        except Exception as error:
            problems.append(f"PostgreSQL at BFF_TEST_DATABASE_URL: {type(error).__name__}")
    if TEST_REDIS_URL:
        try:
            asyncio.run(_ping_redis(TEST_REDIS_URL))
        except Exception as error:
            problems.append(f"Redis at BFF_TEST_REDIS_URL: {type(error).__name__}")
    if problems:
        pytest.exit("configured test services do not answer: " + "; ".join(problems), returncode=3)


async def _ping_postgres(url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    await connection.close()


async def _ping_redis(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=3)
    try:
        await client.ping()
    finally:
        await client.aclose()


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str | None]:
    """A fresh, migrated-on-demand PostgreSQL database for this run, dropped at the end."""
    if not TEST_DATABASE_URL:
        yield None
        return
    name = f"bff_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres_admin(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_postgres_admin(TEST_DATABASE_URL, f'DROP DATABASE "{name}" WITH (FORCE)'))


async def _postgres_admin(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def database_url(
    postgres_database_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The suite's database (PostgreSQL when configured, else a SQLite file), migrated."""
    url = postgres_database_url or (
        f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'bff.sqlite3'}"
    )
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    return TEST_REDIS_URL or "memory://"


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str) -> Settings:
    return make_settings(database_url, redis_url)


@pytest.fixture(scope="session")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(app) as http:
        yield http
