"""The load benchmark in its smoke mode: real `bff sandbox` and `bff serve` processes (2
workers, production settings, PostgreSQL + Redis), every route of the mix answered as
expected. It keeps bench/load_bench.py working; the numbers belong to bench/README.md.

Real-services pass only: that is the configuration the benchmark measures, and one run
(~20 s, mostly process start-up) is enough.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import TEST_DATABASE_URL, TEST_REDIS_URL

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL and TEST_REDIS_URL),
    reason="the load benchmark runs against PostgreSQL and Redis (BFF_TEST_*_URL)",
)

REPO_ROOT = Path(__file__).resolve().parents[2]
MIX_ROUTES = {
    "GET /api/catalog/products",
    "GET /api/dashboard",
    "GET /api/invoices",
    "POST /api/auth/refresh",
    "POST /api/orders",
}


def test_the_mix_runs_without_a_failed_request(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BFF_")}
    env |= {"BFF_BENCH_DATABASE_URL": TEST_DATABASE_URL, "BFF_BENCH_REDIS_URL": TEST_REDIS_URL}
    report = tmp_path / "load.json"
    run = subprocess.run(
        [
            sys.executable, "bench/load_bench.py", "--seconds", "2", "--baseline-seconds", "0.5",
            "--warmup-seconds", "0", "--users", "6", "--concurrency", "4",
            "--sample-seconds", "0.5", "--json", str(report),
        ],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(report.read_text())
    assert set(result["mix"]) == MIX_ROUTES
    for route, stats in result["mix"].items():
        assert stats["requests"] > 0, route
        assert stats["errors"] == 0, (route, stats["error_kinds"])
    assert result["baseline"]["requests"] > 0
    assert result["workers"] == 2
    assert "BFF_ENV=production" in result["environment"]
    server_rss = [mib for row in result["minutes"] for mib in row["rss_mib"].values()]
    assert server_rss, "no RSS sample of the server processes"
    assert all(mib > 10 for mib in server_rss)  # a live Python process, not a misread /proc
