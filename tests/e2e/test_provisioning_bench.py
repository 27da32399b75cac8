"""The provisioning benchmark still runs end to end (tiny: 3 orders, no injected delay).

It measures, it asserts nothing about time; this only keeps the script from rotting as the
workflow changes (its call counts come from the sandboxes' logs, not from a constant).
Real-services pass only: `bff events` and `bff worker` are processes sharing a Redis.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import TEST_DATABASE_URL, TEST_REDIS_URL

pytestmark = pytest.mark.skipif(
    not TEST_REDIS_URL, reason="bff worker/events processes need a real Redis (BFF_TEST_REDIS_URL)"
)

BENCH = Path(__file__).resolve().parents[2] / "bench" / "provisioning_bench.py"


def test_the_benchmark_provisions_every_order_and_reports_its_bounds() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BFF_BENCH_")}
    env["BFF_BENCH_REDIS_URL"] = TEST_REDIS_URL
    if TEST_DATABASE_URL:
        env["BFF_BENCH_DATABASE_URL"] = TEST_DATABASE_URL
    done = subprocess.run(
        [sys.executable, str(BENCH), "--orders", "3", "--delay-ms", "0", "--alone", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("batch: 3 orders (0 failed)") for line in lines), done.stdout
    calls = next(line for line in lines if line.startswith("provider calls per order (alone"))
    assert int(calls.rsplit(":", 1)[1]) > 0, calls
    assert any(line.startswith("measured bound 10 / (") for line in lines), done.stdout
    assert any(line.startswith("event -> active latency in the batch: p50") for line in lines), (
        done.stdout
    )
