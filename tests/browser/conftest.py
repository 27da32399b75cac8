"""A `bff dev` on free ports and the demo SPA on two origins, for the examples' tests.

The tools (node, npm packages, chromium) are checked before anything starts: missing
ones skip the test on a developer machine and fail it in CI (`CI` set).
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
SPA_DIR = REPO_ROOT / "examples" / "spa"
SPA_CLIENT_DIR = REPO_ROOT / "examples" / "spa-client"


@dataclass(frozen=True)
class Origins:
    spa: str  # in BFF_CORS_ORIGINS
    foreign: str  # the same files, on an origin the BFF does not allow


def require(needs: dict[str, object]) -> None:
    missing = [what for what, present in needs.items() if not present]
    if not missing:
        return
    reason = "needs " + ", ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    require({"node": path})
    assert path
    return path


@pytest.fixture(scope="module")
def chromium(node: str) -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    require(
        {
            "chromium (apt-get install chromium)": path,
            "tests/browser/node_modules (make browser-deps)": (HERE / "node_modules").is_dir(),
        }
    )
    assert path
    return path


@pytest.fixture(scope="module")
def spa_client(node: str) -> Path:
    require(
        {
            "examples/spa-client/node_modules and src/api.d.ts (make ts-check)": (
                (SPA_CLIENT_DIR / "node_modules").is_dir()
                and (SPA_CLIENT_DIR / "src" / "api.d.ts").is_file()
            )
        }
    )
    return SPA_CLIENT_DIR


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def origins() -> Iterator[Origins]:
    handler = functools.partial(_QuietHandler, directory=str(SPA_DIR))
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), handler) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        spa, foreign = (f"http://127.0.0.1:{s.server_address[1]}" for s in servers)
        yield Origins(spa=spa, foreign=foreign)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def _free_port() -> int:
    with ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler) as probe:
        return int(probe.server_address[1])


@pytest.fixture(scope="module")
def bff_url(origins: Origins, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`bff dev` (embedded storage, sandboxes) allowing the SPA's origin; default cookies."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("BFF_")}
    env.update(
        BFF_PORT=str(port),
        BFF_LOG_FORMAT="json",
        BFF_CORS_ORIGINS=origins.spa,
        **{
            f"BFF_SANDBOX__{name}_PORT": str(_free_port())
            for name in ("WHMCS", "SALESFORCE", "FREEBIT", "PUBSUB")
        },
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bff", "dev"],
        cwd=tmp_path_factory.mktemp("bff-dev"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"bff dev exited early:\n{output}")
        try:
            if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"bff dev not ready within {timeout_s} s")
