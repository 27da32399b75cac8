"""Catalog benchmarks (issue 6): cached-list throughput, and Salesforce calls across expiry.

    .venv/bin/python bench/features_catalog.py [--redis-url redis://127.0.0.1:6379/13]

1. Throughput of `GET /api/catalog/products` served from the cache, against a bare
   endpoint added to the *same* app that returns the very same bytes with no work at all
   (same middleware). Goal: at least 0.8 of the bare endpoint.
2. Salesforce calls per 10,000 catalog requests at 100 concurrency while the cache
   expires several times (TTL shortened to 2 s), across two app instances sharing Redis
   when a real Redis is given. Goal: one catalog query per TTL window.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import time
from pathlib import Path

from fastapi import Response

from bff.catalog.service import catalog_cache

sys.path.insert(0, str(Path(__file__).resolve().parent))

from features_common import (
    bench_settings,
    call,
    running_app,
    salesforce_queries,
    sandboxes,
)

CATALOG = "/api/catalog/products"
BARE = "/bench/bare"


async def throughput(asgi: object, path: str, *, total: int, concurrency: int) -> float:
    queue = iter(range(total))

    async def worker() -> None:
        for _ in queue:
            status, _ = await call(asgi, path)  # type: ignore[arg-type]
            assert status == 200, status

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started)


async def bench_throughput(redis_url: str) -> dict[str, float]:
    async with sandboxes() as (urls, key):
        settings = bench_settings(urls, key, redis_url=redis_url)
        async with running_app(settings) as (app, asgi, _):
            _, body = await call(asgi, CATALOG)

            @app.get(BARE, include_in_schema=False)
            async def bare() -> Response:
                return Response(body, media_type="application/json")

            _, bare_body = await call(asgi, BARE)
            assert bare_body == body
            ratios: list[float] = []
            best = {"catalog": 0.0, "bare": 0.0}
            for _ in range(5):  # interleaved rounds: both see the same machine state
                await call(asgi, CATALOG)
                catalog = await throughput(asgi, CATALOG, total=5000, concurrency=50)
                bare_rps = await throughput(asgi, BARE, total=5000, concurrency=50)
                ratios.append(catalog / bare_rps)
                best = {
                    "catalog": max(best["catalog"], catalog),
                    "bare": max(best["bare"], bare_rps),
                }
            return {
                "catalog_rps": best["catalog"],
                "bare_rps": best["bare"],
                "ratio": best["catalog"] / best["bare"],
                "median_round_ratio": statistics.median(ratios),
            }


async def bench_expiry(redis_url: str, *, ttl_s: float = 2.0) -> dict[str, float]:
    """10,000 requests at 100 concurrency spread over several TTL windows."""
    async with sandboxes() as (urls, key):
        cache = {"catalog_ttl_s": ttl_s, "catalog_early_refresh_s": 0.2, "local_ttl_s": 0.2}
        settings = bench_settings(urls, key, redis_url=redis_url, cache=cache)
        # Two instances share the catalog only through a real Redis; memory:// is per app.
        instances = 1 if redis_url.startswith("memory://") else 2
        async with (
            running_app(settings) as (_, asgi_a, state_a),
            running_app(settings) as (_, asgi_b, state_b),
        ):
            await catalog_cache(state_a.redis, settings).invalidate()  # start cold
            apps = [asgi_a, asgi_b][:instances]
            for state in (state_a, state_b):  # learnt once per process; not a catalog query
                await state.providers.salesforce.pricebook_id()
            before = await salesforce_queries(urls)
            await asyncio.gather(*(call(asgi, CATALOG) for asgi in apps))  # the cold load
            total, concurrency = 10_000, 100
            queue = iter(range(total))
            failures = 0

            async def worker(n: int) -> None:
                nonlocal failures
                asgi = apps[n % len(apps)]
                for _ in queue:
                    status, _ = await call(asgi, CATALOG)
                    failures += status != 200
                    await asyncio.sleep(0.1)  # spread the requests over several TTLs

            started = time.perf_counter()
            await asyncio.gather(*(worker(n) for n in range(concurrency)))
            elapsed = time.perf_counter() - started
            queries = await salesforce_queries(urls) - before
    return {
        "requests": total,
        "instances": instances,
        "seconds": elapsed,
        "ttl_windows": math.ceil(elapsed / ttl_s),
        "salesforce_queries": queries,
        "failures": failures,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis-url", default="memory://")
    args = parser.parse_args()
    tp = await bench_throughput(args.redis_url)
    print(
        f"catalog list (cached): {tp['catalog_rps']:.0f} req/s; bare endpoint, same bytes: "
        f"{tp['bare_rps']:.0f} req/s; ratio of bests {tp['ratio']:.2f}, median of 5 paired "
        f"rounds {tp['median_round_ratio']:.2f} (goal >= 0.80)"
    )
    ex = await bench_expiry(args.redis_url)
    print(
        f"{ex['requests']} catalog requests at 100 concurrency on {ex['instances']} instance(s) "
        f"over {ex['seconds']:.1f} s (TTL 2 s: {ex['ttl_windows']} windows): "
        f"{ex['salesforce_queries']} Salesforce catalog queries, {ex['failures']} failures "
        "(goal: one per TTL window)"
    )


if __name__ == "__main__":
    asyncio.run(main())
