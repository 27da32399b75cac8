"""Helpers shared by tests: settings for the suite's services, and serving an app in-process."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
from arq.connections import ArqRedis
from arq.worker import Worker
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import make_url

from bff.core import access_log
from bff.core.migrations import upgrade
from bff.events.runtime import running_consumer
from bff.settings import Environment, Settings
from bff.worker.embedded import build_worker

TEST_DATABASE_URL = os.environ.get("BFF_TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("BFF_TEST_REDIS_URL", "")


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """A new, empty database on the configured PostgreSQL server, dropped afterwards."""
    name = f"bff_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres_admin(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_postgres_admin(TEST_DATABASE_URL, f'DROP DATABASE "{name}" WITH (FORCE)'))


@contextmanager
def migrated_database(directory: Path) -> Iterator[str]:
    """A migrated database of the caller's own: a temporary PostgreSQL database when the
    suite runs on PostgreSQL, else a SQLite file in ``directory``."""
    if TEST_DATABASE_URL:
        with temporary_postgres_database() as url:
            upgrade(url)
            yield url
        return
    url = f"sqlite+aiosqlite:///{directory / 'bff.sqlite3'}"
    upgrade(url)
    yield url


async def _postgres_admin(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def make_settings(database_url: str, redis_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": Environment.TEST,
        "database_url": database_url,
        "redis_url": redis_url,
        "log_format": "json",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan run, behind an in-process HTTP client."""
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver"
        ) as client,
    ):
        yield client


@contextmanager
def captured_log_lines() -> Iterator[list[str]]:
    """Lines as the process's real log handler renders them (same processors, redaction)."""
    access_log.flush()  # earlier requests' lines belong to earlier captures
    root = logging.getLogger()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    lines: list[str] = []
    try:
        yield lines
    finally:
        access_log.flush()  # lines of the current loop turn are still pending
        root.removeHandler(handler)
        lines.extend(line for line in buffer.getvalue().splitlines() if line.strip())


async def stop_processes(processes: list[asyncio.subprocess.Process], *, timeout_s: float) -> None:
    """SIGTERM every process still running, then wait for each; kill what outlives the wait."""
    for process in processes:
        if process.returncode is None:
            process.terminate()
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), timeout=timeout_s)
        except TimeoutError:
            process.kill()
            await process.wait()


@contextlib.asynccontextmanager
async def consumer_and_worker(settings: Settings, queue: ArqRedis) -> AsyncIterator[Worker]:
    """The Pub/Sub consumer and an arq worker running in this process, as in `bff dev`."""
    worker = build_worker(settings, queue)
    async with running_consumer(settings, queue=queue) as consumer:
        tasks = [asyncio.create_task(consumer.run()), asyncio.create_task(worker.async_run())]
        try:
            yield worker
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await worker.close()
