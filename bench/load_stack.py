"""The system under load: `bff sandbox`, a throwaway database, `bff migrate`, `bff serve`.

Each is a separate process started the way an operator would start it; the server gets
production settings (BFF_ENV=production, generated secrets) when the database is
PostgreSQL and Redis is a server.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BFF = [sys.executable, "-m", "bff"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _secret() -> str:
    return secrets.token_urlsafe(48)


@dataclass(frozen=True, slots=True)
class Stack:
    base_url: str
    server_pid: int
    sandbox_pid: int
    workers: int
    environment: str
    log_path: Path


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without BFF_ settings: the bench decides them all."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BFF_")}
    return env | {"PYTHONPATH": str(ROOT / "src")} | extra


def _wait_for(url: str, process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} within 60 s")


def _key_when_written(path: Path, sandbox: subprocess.Popen[bytes], log: Path) -> str:
    """The Salesforce signing key `bff sandbox` writes before it starts serving."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if sandbox.poll() is not None:
            raise RuntimeError(f"bff sandbox exited early:\n{log.read_text()[-3000:]}")
        text = path.read_text() if path.exists() else ""
        if "-----END" in text:
            return text
        time.sleep(0.1)
    raise RuntimeError("bff sandbox wrote no signing key within 60 s")


@contextlib.contextmanager
def _process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        yield process
    finally:
        process.terminate()  # uvicorn and `bff sandbox` shut down gracefully on SIGTERM
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _database(stack: contextlib.ExitStack, workdir: Path) -> str:
    """A throwaway database: a new one on BFF_BENCH_DATABASE_URL's server, else SQLite."""
    url = os.environ.get("BFF_BENCH_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return f"sqlite+aiosqlite:///{workdir}/load.sqlite3"
    from tests import helpers

    helpers.TEST_DATABASE_URL = url
    return stack.enter_context(helpers.temporary_postgres_database())


@contextlib.contextmanager
def running_stack(workdir: Path, *, workers: int) -> Iterator[Stack]:
    redis_url = os.environ.get("BFF_BENCH_REDIS_URL", "memory://")
    with contextlib.ExitStack() as stack:
        database_url = _database(stack, workdir)
        real = database_url.startswith("postgresql") and not redis_url.startswith("memory://")
        if redis_url.startswith("memory://"):
            workers = 1  # fakeredis lives in one process: sessions would not cross workers
        ports = {name: _free_port() for name in ("WHMCS", "SALESFORCE", "FREEBIT", "PUBSUB")}
        credentials = {
            "BFF_WHMCS__IDENTIFIER": _secret(),
            "BFF_WHMCS__SECRET": _secret(),
            "BFF_FREEBIT__OEM_KEY": _secret(),
            **{f"BFF_SANDBOX__{name}_PORT": str(port) for name, port in ports.items()},
        }
        key_file = workdir / "salesforce-key.pem"
        sandbox_log = workdir / "sandbox.log"
        sandbox = stack.enter_context(
            _process([*BFF, "sandbox", "--key-file", str(key_file)], _clean_env(**credentials),
                     sandbox_log)
        )  # fmt: skip
        # Migrations need neither the sandboxes nor production settings: run them meanwhile.
        migrate = subprocess.Popen(  # noqa: S603
            [*BFF, "migrate"],
            env=_clean_env(BFF_ENV="test", BFF_DATABASE_URL=database_url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, migrate_errors = migrate.communicate(timeout=120)
        if migrate.returncode:
            raise RuntimeError(f"bff migrate failed:\n{migrate_errors.decode()[-3000:]}")
        port = _free_port()
        whmcs = f"http://127.0.0.1:{ports['WHMCS']}"
        env = _clean_env(
            **credentials,
            BFF_ENV="production" if real else "test",
            BFF_DATABASE_URL=database_url,
            BFF_REDIS_URL=redis_url,
            BFF_WEB_CONCURRENCY=str(workers),
            BFF_PORT=str(port),
            BFF_LOG_FORMAT="json",
            BFF_AUTH__JWT_KEYS=json.dumps({"load": _secret()}),
            BFF_AUTH__JWT_ACTIVE_KID="load",
            BFF_AUTH__REFRESH_TOKEN_SECRET=_secret(),
            BFF_WHMCS__WEBHOOK_SECRET=_secret(),
            BFF_WHMCS__API_URL=f"{whmcs}/includes/api.php",
            BFF_SALESFORCE__LOGIN_URL=f"http://127.0.0.1:{ports['SALESFORCE']}",
            BFF_SALESFORCE__PRIVATE_KEY_PEM=_key_when_written(key_file, sandbox, sandbox_log),
            BFF_FREEBIT__BASE_URL=f"http://127.0.0.1:{ports['FREEBIT']}",
        )
        server_log = workdir / "server.log"
        server = stack.enter_context(_process([*BFF, "serve"], env, server_log))
        base_url = f"http://127.0.0.1:{port}"
        _wait_for(f"{whmcs}/_sandbox/calls", sandbox, "bff sandbox", sandbox_log)
        _wait_for(f"{base_url}/health/ready", server, "bff serve", server_log)
        yield Stack(
            base_url=base_url,
            server_pid=server.pid,
            sandbox_pid=sandbox.pid,
            workers=workers,
            environment=f"{'PostgreSQL' if real else 'SQLite'} + "
            f"{'Redis' if not redis_url.startswith('memory://') else 'fakeredis'}, "
            f"BFF_ENV={env['BFF_ENV']}",
            log_path=server_log,
        )


def server_log_summary(path: Path) -> dict[str, int]:
    """Count of each error/warning event the server logged (events only, no payloads)."""
    counts: dict[str, int] = {}
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if '"level": "error"' not in line and '"level": "warning"' not in line:
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            key = f"{entry.get('level')}: {entry.get('event')}"
            counts[key] = counts.get(key, 0) + 1
    return counts
