"""The `bff` command as a user runs it: real processes, real sockets."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from integrations.sandbox.demo_data import TARO

BFF = [sys.executable, "-m", "bff"]
REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any BFF_ setting, so defaults apply."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BFF_")}
    env.update(extra)
    return env


def test_dev_serves_ready_on_the_embedded_default(tmp_path: Path) -> None:
    port, whmcs_port, salesforce_port, freebit_port = (free_port() for _ in range(4))
    env = clean_env(
        BFF_PORT=str(port),
        BFF_LOG_FORMAT="json",
        BFF_SANDBOX__WHMCS_PORT=str(whmcs_port),
        BFF_SANDBOX__SALESFORCE_PORT=str(salesforce_port),
        BFF_SANDBOX__FREEBIT_PORT=str(freebit_port),
    )
    process = subprocess.Popen(
        [*BFF, "dev"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        ready = _wait_ready(f"http://127.0.0.1:{port}", process, timeout_s=30)
        assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
        docs = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5)
        assert docs.status_code == 200
        assert (tmp_path / "var" / "bff.sqlite3").exists()
        login = httpx.post(
            f"http://127.0.0.1:{whmcs_port}/includes/api.php",
            data={
                "action": "ValidateLogin",
                "identifier": "sandbox-identifier",
                "secret": "sandbox-secret",
                "responsetype": "json",
                "email": TARO.email,
                "password2": TARO.password,
            },
            timeout=5,
        )
        assert login.json()["result"] == "success"
        for sandbox_port in (salesforce_port, freebit_port):
            calls = httpx.get(f"http://127.0.0.1:{sandbox_port}/_sandbox/calls", timeout=5)
            assert calls.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=20)[0].decode()
    # uvicorn re-raises the signal it handled after a graceful shutdown.
    assert process.returncode in {0, 128 + signal.SIGINT, -signal.SIGINT}, output
    assert "bff.stopped" in output


def _wait_ready(
    base_url: str, process: subprocess.Popen[bytes], timeout_s: float
) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"bff dev exited early:\n{process.stdout.read().decode()}")  # type: ignore[union-attr]
        try:
            response = httpx.get(f"{base_url}/health/ready", timeout=1)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"/health/ready not 200 within {timeout_s}s")


@pytest.mark.parametrize("command", ["serve", "migrate", "worker"])
def test_production_refuses_weak_secret_in_one_line(command: str) -> None:
    env = clean_env(
        BFF_ENV="production",
        BFF_AUTH__JWT_KEYS='{"k1": "changeme"}',
        BFF_AUTH__JWT_ACTIVE_KID="k1",
        BFF_DATABASE_URL="postgresql+asyncpg://bff@127.0.0.1:1/bff",
        BFF_REDIS_URL="redis://127.0.0.1:1/0",
    )
    result = subprocess.run(
        [*BFF, command], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "BFF_AUTH__JWT_KEYS" in lines[0]
    assert "changeme" not in result.stderr


def test_openapi_check_passes_on_the_committed_spec() -> None:
    result = subprocess.run(
        [*BFF, "openapi", "--check"],
        cwd=REPO_ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
