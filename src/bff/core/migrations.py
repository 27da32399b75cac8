"""Alembic, driven from code: `bff migrate`, `bff dev` and the tests share this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

_REPO_MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"
_PACKAGED_MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(database_url: str) -> Config:
    script_location = _PACKAGED_MIGRATIONS if _PACKAGED_MIGRATIONS.is_dir() else _REPO_MIGRATIONS
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    _ensure_sqlite_directory(database_url)
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def _ensure_sqlite_directory(database_url: str) -> None:
    prefix = "sqlite+aiosqlite:///"
    if database_url.startswith(prefix) and ":memory:" not in database_url:
        Path(database_url.removeprefix(prefix)).parent.mkdir(parents=True, exist_ok=True)
