"""Shared fixtures: which database and Redis the suite runs against, and the app under test.

The suite runs on the embedded default (SQLite file + in-process fakeredis) unless
`BFF_TEST_DATABASE_URL` (PostgreSQL) and/or `BFF_TEST_REDIS_URL` name real servers. A
configured server that does not answer fails the run instead of skipping tests, so CI
cannot go green without having exercised the real services.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import settings as settings_profiles
from sqlalchemy import make_url

from bff.app import create_app
from bff.core.migrations import upgrade
from bff.settings import Settings
from tests.helpers import (
    TEST_DATABASE_URL,
    TEST_REDIS_URL,
    asyncpg_dsn,
    make_settings,
    serving,
    temporary_postgres_database,
)

# CI replays the same examples every run (a red build must be reproducible); locally each
# run explores new ones.
settings_profiles.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings_profiles.register_profile("dev", deadline=None)
settings_profiles.load_profile("ci" if os.environ.get("CI") else "dev")


def _services_line() -> str:
    database = make_url(TEST_DATABASE_URL).render_as_string() if TEST_DATABASE_URL else "sqlite"
    return f"bff test services: database={database} redis={TEST_REDIS_URL or 'fakeredis'}"


def pytest_report_header() -> list[str]:
    return [_services_line()]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # Also under -q, so a CI log shows which services each pass really used.
    terminalreporter.write_line(_services_line())


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

    connection = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
    await connection.close()


async def _ping_redis(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=3)
    try:
        await client.ping()
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str | None]:
    """This run's PostgreSQL database when BFF_TEST_DATABASE_URL is set, else None."""
    if not TEST_DATABASE_URL:
        yield None
        return
    with temporary_postgres_database() as url:
        yield url


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
