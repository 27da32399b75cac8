"""Provisioning benchmark (issue 7): orders provisioned per second against the bound set by
worker concurrency and provider calls per order; event-to-`active` latency.

Run from the repository root (a Redis server is required, see below)::

    BFF_BENCH_REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/provisioning_bench.py
    BFF_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
    BFF_BENCH_REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/provisioning_bench.py

What runs: the three sandboxes in this process (every provider call delayed ``--delay-ms``
with the sandboxes' ``latencyMs`` fault rule), and the real ``bff events`` and ``bff worker``
processes, as production runs them. ``bff worker`` and ``bff events`` need a Redis *server*
(fakeredis lives inside one process), so ``BFF_BENCH_REDIS_URL`` is required; the database
is a SQLite file (shared by the processes) unless ``BFF_BENCH_DATABASE_URL`` names a
PostgreSQL server, on which a temporary database is created and dropped. Only the BFF's
own keys in that Redis database are touched (arq's provision_order jobs, provisioning
locks, order status streams, the consumer lease).

Orders (one SIM and one VPN line each, spread over the demo customers) are created as
``POST /api/orders`` creates them (pricing against the catalog, one composite write), then:

1. warm-up: one order approved and provisioned alone (tokens, connection pools, caches);
2. ``--alone`` orders approved one at a time: the provider calls per order and their
   timing come from the sandboxes' call logs (``GET /_sandbox/calls``), nothing is
   hard-coded;
3. the batch: ``--orders`` orders approved as fast as the sandbox takes them; throughput is
   orders / (last run ``done`` - first approval). Bounds, with C = worker ``max_jobs``:
   - ideal = C / (calls per order x delay): every slot busy, nothing but the injected
     delay, one call at a time (the issue's bound);
   - critical path = C / (rounds x delay): the same for calls made one after the other,
     where a round is one call or several made at once (arriving within half the delay);
   - measured = C / (rounds x per-round time of an order alone), the per-round time
     being (run done - its first provider call) / rounds, i.e. the delay plus the client,
     sandbox, commit and status-event overhead per round, measured on the same machine.
   Latency per order: the event's publish time (``provisioning_runs.created_at`` is the
   event's ``CreatedDate``) to the run's ``finished_at``.

This is a measurement, not a test: it asserts nothing about time. The numbers land in
bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from redis.asyncio import Redis
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]

from features_common import fault_all, running_app  # noqa: E402

from bff.catalog.service import catalog_entries  # noqa: E402
from bff.core.migrations import upgrade  # noqa: E402
from bff.core.state import AppState  # noqa: E402
from bff.provisioning.crm import read_order  # noqa: E402
from bff.provisioning.models import FINAL_RUN_STATES, ProvisioningRun  # noqa: E402
from bff.settings import ProvisioningSettings, Settings  # noqa: E402
from domain.orders.contract import OrderRequest  # noqa: E402
from domain.orders.pricing import price_order  # noqa: E402
from integrations.sandbox import (  # noqa: E402
    DevKeyPair,
    SandboxUrls,
    generate_dev_keypair,
    running_sandboxes,
)
from integrations.sandbox.demo_data import DEMO_CUSTOMERS  # noqa: E402
from tests import helpers  # noqa: E402
from tests.integration.provisioning.test_chaos import start  # noqa: E402
from tests.integration.provisioning.test_worker_killed import worker_env  # noqa: E402

ITEMS = [
    {"sku": "SIM-DATA-3G", "quantity": 1, "billingCycle": "monthly"},
    {"sku": "VPN-PRO", "quantity": 1, "billingCycle": "monthly"},
]
FINAL = [state.value for state in FINAL_RUN_STATES]
# The BFF's keys a previous run may have left (arq keeps a result 24 h, and sandbox order
# ids repeat per sandbox start, so a kept result would turn a new job into a no-op).
OWN_KEYS = (
    "arq:*provision_order*",
    "bff:provisioning:*",
    "bff:orders:status:*",
    "bff:lease:events:*",
)


@dataclass(frozen=True, slots=True)
class Call:
    at: float
    system: str
    key: str


# --- setup -----------------------------------------------------------------------------


async def forget_own_keys(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    try:
        for pattern in OWN_KEYS:
            keys = [key async for key in redis.scan_iter(match=pattern, count=1000)]
            if keys:
                await redis.delete(*keys)
        stale = [m for m in await redis.zrange("arq:queue", 0, -1) if b"provision_order" in m]
        if stale:
            await redis.zrem("arq:queue", *stale)
    finally:
        await redis.aclose()


def bench_settings(
    database_url: str, redis_url: str, urls: SandboxUrls, keys: DevKeyPair
) -> Settings:
    return helpers.make_settings(
        database_url,
        redis_url,
        log_level="WARNING",
        whmcs={"api_url": urls.whmcs_api_url},
        salesforce={
            "login_url": urls.salesforce_login_url,
            "private_key_pem": keys.private_key_pem,
        },
        freebit={"base_url": urls.freebit_base_url},
    )


async def create_orders(state: AppState, count: int) -> list[str]:
    """Draft Orders as ``POST /api/orders`` creates them (minus the idempotency claim)."""
    request = OrderRequest.model_validate({"items": ITEMS})
    priced = price_order(request, await catalog_entries(state))
    gate = asyncio.Semaphore(8)

    async def one(index: int) -> str:
        customer = DEMO_CUSTOMERS[index % len(DEMO_CUSTOMERS)]
        async with gate:
            return await state.providers.salesforce.create_order(
                priced, account_id=customer.account_id, effective_date=dt.date.today()
            )

    return list(await asyncio.gather(*(one(i) for i in range(count))))


@contextlib.asynccontextmanager
async def bff_processes(env: dict[str, str]) -> AsyncIterator[dict[str, int]]:
    """`bff events` and `bff worker`; yields their pids by name."""
    processes = [await start("events", env), await start("worker", env)]
    try:
        yield {"bff events": processes[0].pid, "bff worker": processes[1].pid}
    finally:
        await helpers.stop_processes(processes, timeout_s=10)


# --- observation -----------------------------------------------------------------------


async def call_log(control: httpx.AsyncClient, urls: SandboxUrls) -> list[Call]:
    calls: list[Call] = []
    for system, base in urls.control_urls().items():
        response = await control.get(f"{base}/_sandbox/calls")
        response.raise_for_status()
        calls += [Call(c["at"], system, c["key"]) for c in response.json()["calls"]]
    return sorted(calls, key=lambda c: c.at)


async def wait_subscribed(control: httpx.AsyncClient, urls: SandboxUrls) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = (await control.get(f"{urls.salesforce_login_url}/_sandbox/pubsub/events")).json()
        if body["openStreams"]:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("bff events did not subscribe within 60 s")


async def wait_finished(
    state: AppState, order_ids: list[str], *, timeout_s: float
) -> list[ProvisioningRun]:
    """The runs of ``order_ids`` once all are final (polled with a cheap count: the
    sandboxes share this process's CPU)."""
    finished = ProvisioningRun.order_id.in_(order_ids), ProvisioningRun.state.in_(FINAL)
    deadline = time.monotonic() + timeout_s
    async with state.session_factory() as session:
        while True:
            count = await session.scalar(select(func.count()).where(*finished))
            await session.rollback()  # a fresh snapshot per poll
            if count == len(order_ids):
                return list(await session.scalars(select(ProvisioningRun).where(*finished)))
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(order_ids) - (count or 0)} orders unfinished")
            await asyncio.sleep(0.1)


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU time (user + system) so far of this process (the sandboxes) and of ``pids``, and
    of the whole machine (every core, other tenants included); Linux /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    times = {"bench + sandboxes": time.process_time()}
    for name, pid in pids.items():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        times[name] = (int(fields[11]) + int(fields[12])) / tick
    cpu = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    times["machine busy"] = (sum(cpu) - cpu[3] - cpu[4]) / tick  # all but idle and iowait
    return times


def epoch(moment: dt.datetime) -> float:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.timestamp()


# --- the phases ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rig:
    """What the phases drive and observe."""

    state: AppState  # the app's providers, database and Redis
    control: httpx.AsyncClient  # the sandboxes' control APIs
    urls: SandboxUrls
    pids: dict[str, int]  # the BFF processes

    async def approve(self, order_id: str) -> None:
        url = f"{self.urls.salesforce_login_url}/_sandbox/orders/{order_id}/approve"
        (await self.control.post(url)).raise_for_status()

    async def calls(self) -> list[Call]:
        return await call_log(self.control, self.urls)


@dataclass(frozen=True, slots=True)
class Alone:
    calls: Counter[str]  # "system:key" -> count, for one order
    rounds: int  # calls on the critical path: calls made at once count as one
    per_call_s: float  # (done - first provider call) / rounds
    latency_s: float  # event published -> run done, for an order with no queue ahead


def call_rounds(calls: list[Call], delay_s: float) -> int:
    """Calls one after the other; calls that reach the sandboxes within half the injected
    delay of the previous one were made at once (the workflow overlaps independent calls
    of a step) and count as one round. Without a delay every call is its own round."""
    if not delay_s:
        return len(calls)
    return 1 + sum(b.at - a.at >= delay_s / 2 for a, b in itertools.pairwise(calls))


async def provision_alone(rig: Rig, order_id: str, delay_s: float) -> Alone:
    since = time.time()
    await rig.approve(order_id)
    (run,) = await wait_finished(rig.state, [order_id], timeout_s=120)
    assert run.finished_at is not None
    done = epoch(run.finished_at)
    calls = [c for c in await rig.calls() if since <= c.at <= done]
    if not calls:
        raise RuntimeError("no provider call was logged for an order")
    rounds = call_rounds(calls, delay_s)
    return Alone(
        calls=Counter(f"{c.system}:{c.key}" for c in calls),
        rounds=rounds,
        per_call_s=(done - calls[0].at) / rounds,
        latency_s=done - epoch(run.created_at),
    )


async def one_call_s(rig: Rig, order_id: str, *, rounds: int = 10) -> float:
    """Median time of one provider call made alone through the BFF's own clients (a
    Salesforce read of the Order as the worker reads it, a WHMCS GetOrders): the injected
    delay plus what the client and the sandbox add."""
    providers = rig.state.providers
    samples: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        await read_order(providers.salesforce, order_id)
        samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        await providers.whmcs.get_orders(limit=1)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


@dataclass(frozen=True, slots=True)
class Batch:
    started: float
    runs: list[ProvisioningRun]
    calls: Counter[str]  # "system:key" -> count, for the whole batch
    max_queued: int  # most jobs waiting in arq's queue at once (is the worker behind?)
    in_progress: float  # mean jobs running (arq in-progress keys) while jobs were waiting
    cpu: dict[str, float]  # CPU seconds spent during the batch, by process
    seconds: float  # wall time the CPU was sampled over


async def provision_batch(rig: Rig, order_ids: list[str]) -> Batch:
    calls_before = len(await rig.calls())
    cpu_before = cpu_seconds(rig.pids)
    queued = [0]
    running: list[int] = []

    async def sample_queue() -> None:
        redis = rig.state.redis
        while True:
            waiting = int(await redis.zcard("arq:queue"))
            queued.append(waiting)
            if waiting:  # slots should all be busy while jobs wait
                keys = {k async for k in redis.scan_iter(match="arq:in-progress:*", count=1000)}
                running.append(len(keys))
            await asyncio.sleep(0.1)

    gate = asyncio.Semaphore(16)

    async def one(order_id: str) -> None:
        async with gate:
            await rig.approve(order_id)

    print(f"approving {len(order_ids)} orders ...", flush=True)
    started = time.time()
    sampler = asyncio.create_task(sample_queue())
    try:
        await asyncio.gather(*(one(order_id) for order_id in order_ids))
        runs = await wait_finished(rig.state, order_ids, timeout_s=max(300.0, len(order_ids) * 2.0))
    finally:
        sampler.cancel()
    cpu = {name: spent - cpu_before[name] for name, spent in cpu_seconds(rig.pids).items()}
    seconds = time.time() - started
    calls = Counter(f"{c.system}:{c.key}" for c in (await rig.calls())[calls_before:])
    return Batch(
        started=started,
        runs=runs,
        calls=calls,
        max_queued=max(queued),
        in_progress=statistics.fmean(running) if running else 0.0,
        cpu=cpu,
        seconds=seconds,
    )


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def report(
    args: argparse.Namespace, max_jobs: int, alone: list[Alone], one_call: float, batch: Batch
) -> None:
    per_order = alone[-1].calls
    calls_alone = sum(per_order.values())
    if any(a.calls != per_order for a in alone):
        print(f"note: orders alone made different calls: {[sum(a.calls.values()) for a in alone]}")
    orders = len(batch.runs)
    calls_batch = sum(batch.calls.values()) / orders
    extra = {
        k: n - per_order[k] * orders for k, n in batch.calls.items() if n != per_order[k] * orders
    }
    per_call = statistics.median(a.per_call_s for a in alone)
    done = [epoch(r.finished_at) for r in batch.runs if r.finished_at is not None]
    elapsed = max(done) - batch.started
    rate = len(batch.runs) / elapsed
    latencies = sorted(
        epoch(r.finished_at) - epoch(r.created_at) for r in batch.runs if r.finished_at
    )
    failed = sum(r.state != "done" for r in batch.runs)
    retried = sum(r.attempts > 1 for r in batch.runs)
    delay_s = args.delay_ms / 1000
    ideal = max_jobs / (calls_alone * delay_s) if delay_s else float("inf")
    rounds = alone[-1].rounds
    critical = max_jobs / (rounds * delay_s) if delay_s else float("inf")
    measured = max_jobs / (rounds * per_call)

    print(f"provider calls per order (alone, from the call logs): {calls_alone}")
    for key, count in sorted(per_order.items()):
        print(f"    {count} x {key}")
    print(
        f"provider calls per order in the batch: {calls_batch:.2f}; beyond that: {extra or 'none'}"
    )
    print(f"calls one after the other (rounds; calls made at once count as one): {rounds}")
    print(
        f"per-round time of an order alone: {per_call * 1000:.1f} ms "
        f"(delay {args.delay_ms} ms + overhead {(per_call - delay_s) * 1000:.1f} ms)"
    )
    own = rounds * (per_call - one_call)
    print(
        f"an order alone: {rounds * per_call * 1000:.0f} ms = {rounds} rounds x "
        f"{one_call * 1000:.1f} ms (one call through the BFF's client, alone) + "
        f"{own * 1000:.0f} ms of the worker's own work (database, Redis, arq)"
    )
    print(
        f"batch: {len(batch.runs)} orders ({failed} failed) in {elapsed:.2f} s "
        f"from the first approval to the last done: {rate:.1f} orders/s; {retried} needed more "
        f"than one try; at most {batch.max_queued} jobs waited in the arq queue"
    )
    if delay_s:
        print(
            f"ideal bound  {max_jobs} / ({calls_alone} x {args.delay_ms} ms) = "
            f"{ideal:.1f} orders/s: ratio {rate / ideal:.2f} (goal >= 0.80)"
        )
        print(
            f"critical-path bound {max_jobs} / ({rounds} rounds x {args.delay_ms} ms) = "
            f"{critical:.1f} orders/s: ratio {rate / critical:.2f}"
        )
    print(
        f"measured bound {max_jobs} / ({rounds} rounds x {per_call * 1000:.1f} ms) = "
        f"{measured:.1f} orders/s: ratio {rate / measured:.2f}"
    )
    # A SCAN racing jobs that end and start counts some keys twice over: the sample says
    # whether every slot was busy, not exactly how many were.
    print(
        f"arq in-progress keys while jobs waited: {batch.in_progress:.1f} on average "
        f"(>= {max_jobs} = every slot busy); time per order in a slot, all {max_jobs} busy "
        f"(Little's law): {max_jobs / rate * 1000:.0f} ms, alone: "
        f"{rounds * per_call * 1000:.0f} ms"
    )
    cores = os.cpu_count() or 1
    busy = batch.cpu.pop("machine busy")
    print(
        f"CPU during the batch: machine {busy / batch.seconds / cores:.0%} busy of {cores} cores"
        " (other tenants included); per order: "
        + ", ".join(
            f"{name} {spent / len(batch.runs) * 1000:.1f} ms" for name, spent in batch.cpu.items()
        )
    )
    print(
        "event -> active latency of an order alone (no queue ahead): "
        f"{statistics.median(a.latency_s for a in alone) * 1000:.0f} ms"
    )
    print(
        f"event -> active latency in the batch: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )


async def run(args: argparse.Namespace, database_url: str, redis_url: str) -> None:
    keys = generate_dev_keypair()
    await forget_own_keys(redis_url)
    async with (
        running_sandboxes(salesforce_public_key_pem=keys.public_key_pem) as urls,
        httpx.AsyncClient(timeout=30) as control,
    ):
        settings = bench_settings(database_url, redis_url, urls, keys)
        max_jobs = args.concurrency or ProvisioningSettings().max_jobs
        assert urls.salesforce_pubsub_target is not None
        env = worker_env(settings, urls, keys) | {
            "BFF_SALESFORCE__PUBSUB_TARGET": urls.salesforce_pubsub_target,
            "BFF_SALESFORCE__PUBSUB_TLS": "false",
            "BFF_PROVISIONING__JOB_TIMEOUT_S": str(ProvisioningSettings().job_timeout_s),
            "BFF_PROVISIONING__MAX_JOBS": str(max_jobs),
        }
        async with running_app(settings) as (_, _, state):
            order_ids = await create_orders(state, 1 + args.alone + args.orders)
            print(
                f"database={database_url.split(':', 1)[0]} "
                f"redis={redis_url} cpus={os.cpu_count()} load={os.getloadavg()[0]:.2f} "
                f"orders={args.orders} delay={args.delay_ms} ms max_jobs={max_jobs}"
            )
            async with bff_processes(env) as pids:
                rig = Rig(state, control, urls, pids)
                await wait_subscribed(control, urls)
                if args.delay_ms:
                    await fault_all(urls, latencyMs=args.delay_ms)
                delay_s = args.delay_ms / 1000
                await provision_alone(rig, order_ids[0], delay_s)  # warm-up
                alone = [
                    await provision_alone(rig, order_id, delay_s)
                    for order_id in order_ids[1 : 1 + args.alone]
                ]
                one_call = await one_call_s(rig, order_ids[0])
                batch = await provision_batch(rig, order_ids[1 + args.alone :])
        report(args, max_jobs, alone, one_call, batch)
    await forget_own_keys(redis_url)


@contextlib.contextmanager
def database(url: str) -> Iterator[str]:
    """A fresh, migrated database: a temporary one on PostgreSQL, else a SQLite file."""
    with contextlib.ExitStack() as stack:
        if url.startswith("postgresql"):
            helpers.TEST_DATABASE_URL = url
            url = stack.enter_context(helpers.temporary_postgres_database())
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        upgrade(url)
        yield url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else "")
    parser.add_argument("--orders", type=int, default=200, help="orders in the batch")
    parser.add_argument("--delay-ms", type=int, default=50, help="delay of every provider call")
    parser.add_argument(
        "--concurrency", type=int, default=0, help="worker max_jobs (default: the setting's)"
    )
    parser.add_argument("--alone", type=int, default=3, help="orders provisioned one at a time")
    args = parser.parse_args(argv)
    redis_url = os.environ.get("BFF_BENCH_REDIS_URL", "")
    if not redis_url.startswith(("redis://", "rediss://")):
        sys.exit("BFF_BENCH_REDIS_URL must name a Redis server: bff worker/events are processes")
    with database(os.environ.get("BFF_BENCH_DATABASE_URL", "")) as database_url:
        asyncio.run(run(args, database_url, redis_url))


if __name__ == "__main__":
    main()
