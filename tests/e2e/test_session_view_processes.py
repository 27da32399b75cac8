"""Two real `bff serve` processes on one real Redis: a session ended on A is refused on B.

Needs a Redis server that both processes share (the real-services pass); the embedded
fakeredis equivalent is `tests/api/auth/test_session_view_instances.py`.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bff.auth.families import Families, Owner
from bff.auth.tokens import AccessTokens
from bff.settings import AuthSettings
from tests.e2e.test_cli import BFF, clean_env, free_port
from tests.helpers import TEST_REDIS_URL

pytestmark = pytest.mark.skipif(
    not TEST_REDIS_URL, reason="two processes need a shared Redis (BFF_TEST_REDIS_URL)"
)

STALENESS_S = 1.0


@pytest.fixture
def two_servers(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [*BFF, "serve"],
            cwd=tmp_path,
            env=clean_env(
                BFF_ENV="test",
                BFF_PORT=str(port),
                BFF_DATABASE_URL=database_url,
                BFF_REDIS_URL=TEST_REDIS_URL,
                BFF_LOG_FORMAT="json",
                BFF_AUTH__OUTBOX_DRAIN_INTERVAL_S="0",
                BFF_AUTH__SESSION_VIEW_STALENESS_S=str(STALENESS_S),
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, process in zip(bases, processes, strict=True):
            _wait_view_live(base, process)
        yield bases[0], bases[1]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _wait_view_live(base: str, process: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "bff serve exited early"
        try:
            if _metric(base, "bff_auth_session_view_live") == 1:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{base}: session view not live within {timeout_s} s")


def _metric(base: str, name: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    found = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def _sign_in() -> tuple[str, dict[str, str], dict[str, str]]:
    """One user, two sessions: (second session id, first's auth header, second's)."""
    settings = AuthSettings()
    owner = Owner(str(uuid.uuid4()), "7", "001xx0000000001AAA", None)

    async def families() -> tuple[str, str]:
        from redis.asyncio import Redis

        redis = Redis.from_url(TEST_REDIS_URL)
        try:
            fams = Families(redis, settings)
            return (
                (await fams.create(owner, user_agent="phone"))[0],
                (await fams.create(owner, user_agent="laptop"))[0],
            )
        finally:
            await redis.aclose()

    sid1, sid2 = asyncio.run(families())
    tokens = AccessTokens(settings)
    headers = [
        {"Authorization": f"Bearer {tokens.issue(user_id=owner.user_id, session_id=sid)}"}
        for sid in (sid1, sid2)
    ]
    return sid2, headers[0], headers[1]


def test_a_session_ended_on_one_process_is_refused_on_the_other(
    two_servers: tuple[str, str],
) -> None:
    a, b = two_servers
    sid2, phone, laptop = _sign_in()
    assert httpx.get(f"{b}/api/auth/sessions", headers=laptop, timeout=5).status_code == 200
    from_redis = 'bff_auth_session_lookups_total{source="redis"}'
    before = _metric(b, from_redis)
    for _ in range(20):
        assert httpx.get(f"{b}/api/auth/sessions", headers=laptop, timeout=5).status_code == 200
    assert _metric(b, from_redis) == before, "a warm session is checked without Redis"

    ended = httpx.delete(f"{a}/api/auth/sessions/{sid2}", headers=phone, timeout=5)
    assert ended.status_code == 204
    time.sleep(STALENESS_S)
    refused = httpx.get(f"{b}/api/auth/sessions", headers=laptop, timeout=5)
    assert refused.status_code == 401
    assert httpx.get(f"{b}/api/auth/sessions", headers=phone, timeout=5).status_code == 200
