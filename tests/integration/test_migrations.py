"""The migrations run upgrade -> downgrade -> upgrade, and match the models, on each database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from bff.core.migrations import alembic_config, downgrade, upgrade
from bff.models import Base
from tests.helpers import TEST_DATABASE_URL, temporary_postgres_database

OWNED_TABLES = {
    "users",
    "audit_events",
    "idempotency_records",
    "outbox_messages",
    "event_cursors",
    "provisioning_runs",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'roundtrip.sqlite3'}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL round trip runs in the real-services pass (BFF_TEST_DATABASE_URL)")
    with temporary_postgres_database() as url:
        yield url


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    assert asyncio.run(_tables(empty_database_url)) == set()
    upgrade(empty_database_url)
    assert asyncio.run(_tables(empty_database_url)) == OWNED_TABLES
    downgrade(empty_database_url, "base")
    assert asyncio.run(_tables(empty_database_url)) == set()
    upgrade(empty_database_url)
    assert asyncio.run(_tables(empty_database_url)) == set(Base.metadata.tables)
    # Fails when a model changed without a migration (alembic autogenerate finds a diff).
    command.check(alembic_config(empty_database_url))
