"""A change made through one process is visible in another within 1 s (Redis pub/sub).

Two separate processes (``peer.py``) each hold the catalog's two-tier cache with an L1
that would otherwise live 60 s; against the configured Redis, or a fakeredis TCP server
in the embedded mode. Also covers ``bff invalidate-catalog`` reaching both.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeredis import TcpFakeServer
from redis import Redis

from bff.catalog.service import CACHE_KEY, CACHE_NAME
from tests.helpers import TEST_REDIS_URL

ROOT = Path(__file__).resolve().parents[3]
PEER = Path(__file__).with_name("peer.py")
BOUND_S = 1.0


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    if TEST_REDIS_URL:
        yield TEST_REDIS_URL
        return
    server = TcpFakeServer(("127.0.0.1", 0), server_type="redis")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.server_address[1]}/0"
    finally:
        server.shutdown()
        server.server_close()


class Peer:
    def __init__(self, redis_url: str, source_key: str) -> None:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
        self.process = subprocess.Popen(
            [sys.executable, str(PEER), redis_url, CACHE_NAME, CACHE_KEY, source_key],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def read(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def ask(self, command: str) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.read()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            assert self.process.stdin is not None
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def peers(redis_url: str) -> Iterator[tuple[Redis, str, Peer, Peer]]:
    """Two processes, started once (together: each takes seconds to import on a busy box)."""
    redis = Redis.from_url(redis_url)
    source_key = f"test:cache-source:{uuid.uuid4().hex}"
    a, b = Peer(redis_url, source_key), Peer(redis_url, source_key)
    try:
        assert (a.read(), b.read()) == ("ready", "ready")
        yield redis, source_key, a, b
    finally:
        a.close()
        b.close()
        redis.delete(CACHE_KEY, source_key)  # the real catalog key: leave no foreign bytes
        redis.close()


@pytest.fixture
def setup(peers: tuple[Redis, str, Peer, Peer]) -> tuple[Redis, str, Peer, Peer]:
    redis, source_key, a, b = peers
    redis.set(source_key, "v1")
    b.ask("get")  # b holds a copy, so its drop below shows the push was consumed
    assert a.ask("invalidate") == "ok"
    wait_for_l1_drop(b)
    return peers


def wait_for_l1_drop(peer: Peer) -> float:
    started = time.monotonic()
    while peer.ask("peek") != "-":
        assert time.monotonic() - started < BOUND_S, "the change did not arrive within 1 s"
        time.sleep(0.01)
    return time.monotonic() - started


def test_invalidation_through_one_process_is_seen_by_the_other(
    setup: tuple[Redis, str, Peer, Peer],
) -> None:
    redis, source_key, a, b = setup
    assert (a.ask("get"), b.ask("get")) == ("v1", "v1")
    assert b.ask("peek") == "v1"  # served from b's L1 from now on
    redis.set(source_key, "v2")
    assert b.ask("get") == "v1"  # the provider changed, nobody said so: still cached
    assert a.ask("invalidate") == "ok"
    wait_for_l1_drop(b)
    assert b.ask("get") == "v2"
    assert a.ask("get") == "v2"


def test_bff_invalidate_catalog_reaches_every_process(
    setup: tuple[Redis, str, Peer, Peer], redis_url: str
) -> None:
    redis, source_key, a, b = setup
    assert (a.ask("get"), b.ask("get")) == ("v1", "v1")
    redis.set(source_key, "v2")
    command = subprocess.run(
        [sys.executable, "-m", "bff", "invalidate-catalog"],
        env={**os.environ, "BFF_REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert command.returncode == 0, command.stderr
    wait_for_l1_drop(a)
    wait_for_l1_drop(b)
    assert (a.ask("get"), b.ask("get")) == ("v2", "v2")
