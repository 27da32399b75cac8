"""Load and soak: the customer mix against `bff serve`, with a bare-endpoint baseline.

Run from the repository root (see bench/README.md, "Load and soak")::

    make bench-load                      # 60 s of mix, PostgreSQL + Redis, 2 workers
    make bench-soak                      # the same for 10 minutes
    .venv/bin/python bench/load_bench.py --seconds 5    # smoke: SQLite + fakeredis, 1 worker

It starts the three sandboxes (`bff sandbox`, its own process), migrates a throwaway
database (`bff migrate`), starts `bff serve` with BFF_WEB_CONCURRENCY workers and
production settings (BFF_ENV=production with generated secrets when the database is
PostgreSQL and Redis is a server), links the demo customers and signs up more through the
API, then drives, from this process:

1. the baseline: `GET /health/live` with the same client concurrency;
2. a warm-up, then the mix (catalog 40%, dashboard 20%, invoices 20%, refresh 10%, orders
   10%) for --seconds, sampling RSS and CPU of every server process every few seconds;
3. the baseline again (the machine is shared: before and after are pooled).

Exit status 1 when a request of the mix failed (any status but the route's 2xx, or a
transport error) or a server process's RSS grew more than 10% from the first minute of the
mix to the last (judged only when the mix runs 3 minutes or more).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import load_report  # noqa: E402
from load_client import BASELINE, drive, seed_sessions  # noqa: E402
from load_procs import Usage, sample_every  # noqa: E402
from load_stack import Stack, running_stack, server_log_summary  # noqa: E402


async def _run(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=args.concurrency + 4)
    async with httpx.AsyncClient(
        base_url=stack.base_url, limits=limits, timeout=httpx.Timeout(30.0)
    ) as client:
        began = time.perf_counter()
        sessions = await seed_sessions(client, args.users, uuid.uuid4().hex[:8])
        seeded_s = time.perf_counter() - began
        load = functools.partial(
            drive, client, sessions, concurrency=args.concurrency, seed=args.seed
        )
        pids = {"server_pid": stack.server_pid, "sandbox_pid": stack.sandbox_pid}
        baseline_cpu = Usage()
        baseline_cpu.take(0.0, **pids)
        before = await load(seconds=args.baseline_seconds, only=BASELINE)
        baseline_cpu.take(1.0, **pids)
        await load(seconds=args.warmup_seconds)

        usage = Usage()
        own_cpu = _own_cpu()
        started = time.perf_counter()
        sampler = asyncio.create_task(
            sample_every(usage, args.sample_seconds, started=started, **pids)
        )
        mix = await load(seconds=args.seconds)
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        usage.take(time.perf_counter() - started, **pids)
        cpu = {role: usage.cpu_spent(role) for role in ("supervisor", "worker", "sandboxes")}
        cpu["load_generator"] = _own_cpu() - own_cpu

        baseline_cpu.take(2.0, **pids)
        after = await load(seconds=args.baseline_seconds, only=BASELINE)
        baseline_cpu.take(3.0, **pids)
    minutes = load_report.minutes(mix, usage, mix.started - started, args.seconds)
    total = len(mix.latency)
    errors = total - sum(mix.ok)
    baseline = load_report.baseline_stats(before, after, args.baseline_seconds)
    baseline_worker_cpu = baseline_cpu.cpu_spent("worker", 0.0, 1.0) + baseline_cpu.cpu_spent(
        "worker", 2.0, 3.0
    )
    baseline["worker_cpu_ms_per_request"] = 1000 * baseline_worker_cpu / baseline["requests"]
    return {
        "seeded_sessions": len(sessions),
        "seeding_s": seeded_s,
        "mix": load_report.route_stats(mix, args.seconds),
        "mix_rps": total / args.seconds,
        "mix_requests": total,
        "mix_errors": errors,
        "error_rate": errors / total if total else 0.0,
        "degraded_dashboards": mix.degraded_dashboards,
        "baseline": baseline,
        "cpu_s": cpu,
        "worker_cpu_ms_per_request": 1000 * cpu["worker"] / total if total else 0.0,
        "minutes": minutes,
        "rss": load_report.rss_verdict(minutes, args.seconds),
    }


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the mix")
    parser.add_argument("--baseline-seconds", type=float, default=10.0, help="each baseline run")
    parser.add_argument("--warmup-seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--users", type=int, default=48, help="sessions (3 demo, rest signed up)")
    parser.add_argument("--workers", type=int, default=2, help="BFF_WEB_CONCURRENCY")
    parser.add_argument("--sample-seconds", type=float, default=5.0, help="RSS sampling period")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.users < max(3, args.concurrency):
        parser.error("--users must be at least 3 and at least --concurrency")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    with tempfile.TemporaryDirectory(prefix="bff-load-") as folder:
        with running_stack(Path(folder), workers=args.workers) as stack:
            result = _run_loop(stack, args)
        result["server_log"] = server_log_summary(stack.log_path)
    result |= {"environment": stack.environment, "workers": stack.workers,
               "concurrency": args.concurrency, "seconds": args.seconds,
               "started": started}  # fmt: skip
    load_report.print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    sys.exit(1 if result["mix_errors"] or result["rss"]["failed"] else 0)


def _run_loop(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    try:
        import uvloop  # the client's own overhead is part of every number: keep it small
    except ImportError:
        return asyncio.run(_run(stack, args))
    return uvloop.run(_run(stack, args))


if __name__ == "__main__":
    main()
