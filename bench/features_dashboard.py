"""Dashboard latency with every sandbox delayed by 100 ms (issue 6).

    .venv/bin/python bench/features_dashboard.py

Each provider call takes >= 100 ms. The slowest single upstream call is measured through
the same provider clients (one call per dashboard section, alone); the dashboard runs its
four sections concurrently, so its median should stay under 1.2x that slowest call.
Per-customer caching is off so every dashboard really calls out.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from features_common import (
    TARO_CUSTOMER,
    bench_settings,
    call,
    fault_all,
    running_app,
    sandboxes,
)

from bff.dashboard import service

DELAY_MS = 100
ROUNDS = 30


async def main() -> None:
    async with sandboxes() as (urls, key):
        settings = bench_settings(urls, key, redis_url="memory://", cache={"customer_ttl_s": 0})
        async with running_app(settings, customer=True) as (_, asgi, state):
            status, body = await call(asgi, "/api/dashboard")  # warm tokens and connections
            assert status == 200, body
            assert not json.loads(body)["warnings"], body
            await fault_all(urls, latencyMs=DELAY_MS)
            customer = TARO_CUSTOMER
            sections: dict[str, Callable[[], Awaitable[object]]] = {
                "billing (WHMCS)": lambda: service._billing(state, customer),
                "subscriptions (WHMCS)": lambda: service._subscriptions(state, customer),
                "support (Salesforce)": lambda: service._support(state, customer),
                "orders (Salesforce)": lambda: service._orders(state, customer),
            }
            singles: dict[str, float] = {}
            for name, fetch in sections.items():
                samples = []
                for _ in range(10):
                    started = time.perf_counter()
                    await fetch()
                    samples.append(time.perf_counter() - started)
                singles[name] = statistics.median(samples)
            latencies = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                status, body = await call(asgi, "/api/dashboard")
                latencies.append(time.perf_counter() - started)
                assert status == 200, body
                assert not json.loads(body)["warnings"], body
    slowest_name, slowest = max(singles.items(), key=lambda kv: kv[1])
    median = statistics.median(latencies)
    for name, value in singles.items():
        print(f"  single upstream call, {name}: median {value * 1000:.0f} ms")
    p90 = sorted(latencies)[int(ROUNDS * 0.9)]
    print(
        f"dashboard with every sandbox delayed {DELAY_MS} ms: median {median * 1000:.0f} ms, "
        f"p90 {p90 * 1000:.0f} ms; slowest single upstream ({slowest_name}) "
        f"{slowest * 1000:.0f} ms; ratio {median / slowest:.2f} (goal < 1.20)"
    )


if __name__ == "__main__":
    asyncio.run(main())
