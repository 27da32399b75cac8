"""Auth benchmark: refresh vs a bare authenticated route; a cheap route's p99 under logins.

Run from the repository root::

    .venv/bin/python bench/auth_bench.py                    # embedded: SQLite + fakeredis
    BFF_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
    BFF_BENCH_REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/auth_bench.py

It starts the API (one uvicorn process, as `bff serve` runs each worker) on a free port,
seeds users with OWASP-cost argon2id hashes, and measures from this process:

1. `POST /api/auth/refresh` (rotation through the Lua script + one user read) against
   `GET /bench/whoami` (JWT check + session check, no Redis once warm), each with C
   concurrent clients;
2. `GET /health/live` latency alone, then while C clients hammer `POST /api/auth/login`.

Numbers land in bench/README.md by hand; this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
from argon2 import PasswordHasher

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bff.core.db import create_engine, create_session_factory  # noqa: E402
from bff.core.migrations import upgrade  # noqa: E402
from bff.users.models import User  # noqa: E402
from tests.helpers import temporary_postgres_database  # noqa: E402

PASSWORD = "benchmark horse battery staple"  # noqa: S105 - seeded bench users


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _summary(name: str, latencies: list[float], seconds: float) -> str:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return (
        f"{name:<34} {len(ordered) / seconds:8.0f} req/s   p50 {pct(0.50):6.2f} ms   "
        f"p95 {pct(0.95):6.2f} ms   p99 {pct(0.99):6.2f} ms   "
        f"mean {statistics.fmean(ordered) * 1000:6.2f} ms"
    )


async def _seed(database_url: str, count: int) -> list[str]:
    password_hash = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash(PASSWORD)
    engine = create_engine(database_url)
    emails = [f"bench-{uuid.uuid4().hex[:12]}@example.jp" for _ in range(count)]
    try:
        async with create_session_factory(engine)() as session, session.begin():
            for i, email in enumerate(emails):
                session.add(
                    User(
                        email=email,
                        password_hash=password_hash,
                        first_name="Bench",
                        last_name=f"User{i}",
                        whmcs_client_id=None,
                    )
                )
    finally:
        await engine.dispose()
    return emails


def _server_cpu_s(pid: int) -> float:
    """User + system CPU seconds of the server process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def _server(database_url: str, redis_url: str, port: int) -> Iterator[tuple[str, int]]:
    env = {
        **os.environ,
        "BFF_ENV": "test",
        "BFF_DATABASE_URL": database_url,
        "BFF_REDIS_URL": redis_url,
        "BFF_LOG_LEVEL": "WARNING",
        "BFF_AUTH__OUTBOX_DRAIN_INTERVAL_S": "0",
        "BFF_AUTH__THROTTLE_IP_FREE_ATTEMPTS": "1000000",
        "PYTHONPATH": str(ROOT / "src"),
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable, "-m", "uvicorn", "--factory", "auth_app:create",
            "--app-dir", str(ROOT / "bench"), "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning", "--no-access-log", "--loop", "uvloop",
        ],
        env=env,
        cwd=tempfile.gettempdir(),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _for(
    seconds: float, concurrency: int, one: Callable[[int], Awaitable[None]]
) -> list[float]:
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def worker(index: int) -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            await one(index)
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return latencies


async def _login(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post(
        "/api/auth/login",
        json={"email": email, "password": PASSWORD, "tokenTransport": "body"},
    )
    response.raise_for_status()
    body: dict[str, str] = response.json()
    return body


async def _run(
    base: str, pid: int, emails: list[str], seconds: float, concurrency: int
) -> list[str]:
    lines = []
    limits = httpx.Limits(max_connections=concurrency * 2 + 4)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        sessions = [await _login(client, emails[i]) for i in range(concurrency)]
        tokens = [s["refreshToken"] for s in sessions]

        async def refresh(i: int) -> None:
            response = await client.post("/api/auth/refresh", json={"refreshToken": tokens[i]})
            response.raise_for_status()
            tokens[i] = response.json()["refreshToken"]

        async def whoami(i: int) -> None:
            headers = {"Authorization": f"Bearer {sessions[i]['accessToken']}"}
            (await client.get("/bench/whoami", headers=headers)).raise_for_status()

        async def live(_: int) -> None:
            (await client.get("/health/live")).raise_for_status()

        await _for(1.0, concurrency, whoami)  # warm-up
        for name, one in (
            ("GET /bench/whoami (auth only)", whoami),
            ("POST /api/auth/refresh (rotation)", refresh),
        ):
            cpu = _server_cpu_s(pid)
            latencies = await _for(seconds, concurrency, one)
            # Server CPU per request: steadier than req/s when the client shares the cores.
            per_request_ms = 1000 * (_server_cpu_s(pid) - cpu) / len(latencies)
            lines.append(
                f"{_summary(name, latencies, seconds)}   server CPU {per_request_ms:.2f} ms/req"
            )

        idle = await _for(seconds, 1, live)
        lines.append(_summary("GET /health/live, idle", idle, seconds))

        logins: list[float] = []
        stop = asyncio.Event()

        async def hammer(i: int) -> None:
            while not stop.is_set():
                started = time.perf_counter()
                await _login(client, emails[(i * 7919 + len(logins)) % len(emails)])
                logins.append(time.perf_counter() - started)

        hammers = [asyncio.create_task(hammer(i)) for i in range(concurrency)]
        await asyncio.sleep(1.0)  # let the login queue build up
        loaded = await _for(seconds, 1, live)
        stop.set()
        await asyncio.gather(*hammers)
        lines.append(_summary("GET /health/live, logins hammered", loaded, seconds))
        lines.append(_summary("POST /api/auth/login (argon2id)", logins, seconds + 1.0))
        ratio = sorted(loaded)[int(0.99 * len(loaded))] / sorted(idle)[int(0.99 * len(idle))]
        lines.append(f"p99 ratio loaded/idle for /health/live: {ratio:.2f}x (target <= 2x)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    database_url = os.environ.get("BFF_BENCH_DATABASE_URL", "")
    redis_url = os.environ.get("BFF_BENCH_REDIS_URL", "memory://")
    with contextlib.ExitStack() as stack:
        if database_url.startswith("postgresql"):
            os.environ.setdefault("BFF_TEST_DATABASE_URL", database_url)
            from tests import helpers

            helpers.TEST_DATABASE_URL = database_url
            database_url = stack.enter_context(temporary_postgres_database())
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            database_url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        upgrade(database_url)
        emails = asyncio.run(_seed(database_url, 200))
        base, pid = stack.enter_context(_server(database_url, redis_url, _free_port()))
        print(f"database={database_url.split('@')[-1]} redis={redis_url} cpus={os.cpu_count()} "
              f"concurrency={args.concurrency} seconds={args.seconds}")  # fmt: skip
        for line in asyncio.run(_run(base, pid, emails, args.seconds, args.concurrency)):
            print(line)


if __name__ == "__main__":
    main()
