"""Side by side with the seed's NestJS stack: one process each, same bytes, same load tool.

Run from the repository root (``make bench-peer``)::

    .venv/bin/python bench/peer_bench.py [--peer-dir ../shared/peer/nest-catalog]

What it does, all in one run:

1. copies the peer (``--peer-dir``) into ``var/peer-bench/`` and runs ``npm install`` there;
   installs ``wrk`` with apt-get if it is missing;
2. starts a private ``redis-server`` (so ``INFO commandstats`` counts only this run), a
   fresh PostgreSQL database (``BFF_BENCH_DATABASE_URL``, migrated) and the provider
   sandboxes (in this process, on free ports);
3. starts our BFF with ``bff serve`` (one process, ``BFF_ENV=production``) serving
   ``bench/peer_app.py`` (the real app plus bare routes), once per ``--servers`` entry;
4. loads the exact bytes of our ``GET /api/catalog/products`` into Redis (``SET catalog``)
   and starts the peer (``node server.js``);
5. drives every pair with ``wrk --latency`` in alternating rounds and prints req/s, p50,
   p99 and ratios, then the median ratio of ``--pair-rounds`` back-to-back catalog pairs,
   Redis commands per request, RSS, keep-alive on/off, and whether an in-flight request
   survives SIGTERM and the lifespan ran on both ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from redis import Redis

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bff.core.migrations import upgrade  # noqa: E402
from integrations.sandbox import (  # noqa: E402
    SandboxUrls,
    generate_dev_keypair,
    running_sandboxes,
)
from integrations.sandbox.demo_data import TARO  # noqa: E402

WORK = ROOT / "var" / "peer-bench"
CATALOG = "/api/catalog/products"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=1).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


# -- load tool ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int

    def line(self, name: str) -> str:
        errors = f"  NON-2xx/3xx or socket errors: {self.errors}" if self.errors else ""
        return (
            f"{name:<44} {self.rps:9.0f} req/s   p50 {self.p50_ms:6.2f} ms   "
            f"p99 {self.p99_ms:6.2f} ms{errors}"
        )


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: apt-get install -y wrk", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)  # noqa: S607
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-qq"], check=True)  # noqa: S607
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)  # noqa: S607
    return shutil.which("wrk") or "wrk"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(
    url: str, args: argparse.Namespace, headers: dict[str, str] | None = None, seconds: float = 0
) -> Run:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}",
               f"-d{int(seconds or args.seconds)}s", "--latency", url]  # fmt: skip
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    total = re.search(r"^\s+(\d+) requests in", out, re.M)
    if not (p50 and p99 and rps and total):
        raise RuntimeError(f"unreadable wrk output:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    return Run(float(rps.group(1)), _ms(p50.group(1)), _ms(p99.group(1)), int(total.group(1)), errors)


def best(runs: list[Run]) -> Run:
    return max(runs, key=lambda r: r.rps)


class Pairs(list[tuple[Run, Run]]):
    """(ours, peer) runs taken back to back: on a noisy machine the ratio within a pair is
    steadier than the ratio of two bests taken minutes apart."""

    def summary(self) -> str:
        if not self:
            return "none"
        ratios = sorted(ours.rps / peer.rps for ours, peer in self)
        p99s = sorted(ours.p99_ms / peer.p99_ms for ours, peer in self)
        return (f"median {statistics.median(ratios):.2f}x req/s (each: "
                f"{' '.join(f'{r:.2f}' for r in ratios)}), median p99 ours/peer "
                f"{statistics.median(p99s):.2f}")  # fmt: skip


def catalog_pairs(peer_base: str, our_base: str, args: argparse.Namespace) -> Pairs:
    """The catalog against the peer's /redis in pairs, which of the two goes first alternating."""
    pairs = Pairs()
    for round_ in range(args.pair_rounds):
        if round_ % 2:
            peer_run = wrk(f"{peer_base}/redis", args, seconds=args.pair_seconds)
            ours = wrk(f"{our_base}{CATALOG}", args, seconds=args.pair_seconds)
        else:
            ours = wrk(f"{our_base}{CATALOG}", args, seconds=args.pair_seconds)
            peer_run = wrk(f"{peer_base}/redis", args, seconds=args.pair_seconds)
        pairs.append((ours, peer_run))
        print(f"  pair {round_ + 1}: ours {ours.rps:.0f}, peer {peer_run.rps:.0f} req/s"
              f" ({ours.rps / peer_run.rps:.2f}x)", flush=True)  # fmt: skip
    return pairs


# -- services ---------------------------------------------------------------------------


@contextlib.contextmanager
def private_redis() -> Iterator[str]:
    port = _free_port()
    WORK.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",  # noqa: S607
         "--appendonly", "no", "--dir", str(WORK)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        client = Redis(port=port)
        for _ in range(100):
            with contextlib.suppress(Exception):
                if client.ping():
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def sandboxes_in_thread(public_key_pem: str) -> Iterator[SandboxUrls]:
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: list[SandboxUrls] = []
    stop = asyncio.Event()

    async def serve() -> None:
        async with running_sandboxes(salesforce_public_key_pem=public_key_pem, pubsub_port=None) as urls:
            holder.append(urls)
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    if not ready.wait(60):
        raise RuntimeError("the sandboxes did not start")
    try:
        yield holder[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    url = os.environ.get(
        "BFF_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    os.environ["BFF_TEST_DATABASE_URL"] = url
    from tests import helpers

    helpers.TEST_DATABASE_URL = url
    with helpers.temporary_postgres_database() as database_url:
        upgrade(database_url)
        yield database_url


def bff_env(database_url: str, redis_url: str, urls: SandboxUrls, private_key_pem: str) -> dict[str, str]:
    return {
        **os.environ,
        "BFF_ENV": "production",
        "BFF_HOST": "127.0.0.1",
        "BFF_DATABASE_URL": database_url,
        "BFF_REDIS_URL": redis_url,
        "BFF_AUTH__JWT_KEYS": json.dumps({"bench": secrets.token_urlsafe(48)}),
        "BFF_AUTH__JWT_ACTIVE_KID": "bench",
        "BFF_AUTH__REFRESH_TOKEN_SECRET": secrets.token_urlsafe(48),
        "BFF_AUTH__THROTTLE_IP_FREE_ATTEMPTS": "100000",
        "BFF_WHMCS__WEBHOOK_SECRET": secrets.token_urlsafe(48),
        "BFF_WHMCS__API_URL": urls.whmcs_api_url,
        "BFF_SALESFORCE__LOGIN_URL": urls.salesforce_login_url,
        "BFF_SALESFORCE__PRIVATE_KEY_PEM": private_key_pem,
        "BFF_FREEBIT__BASE_URL": urls.freebit_base_url,
        "BFF_CORS_ORIGINS": "https://portal.example",
        "BFF_BENCH_BARE_DIR": str(WORK),
        "PYTHONPATH": str(ROOT / "bench"),
    }


@dataclass
class Served:
    base: str
    process: subprocess.Popen[bytes]
    log: Path


@contextlib.contextmanager
def bff(server: str, env: dict[str, str]) -> Iterator[Served]:
    port = _free_port()
    log = WORK / f"bff-{server}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603
            [str(ROOT / ".venv" / "bin" / "bff"), "serve", "--factory", "peer_app:create"],
            env={**env, "BFF_SERVER": server, "BFF_PORT": str(port)},
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    served = Served(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_http(f"{served.base}/health/live")
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def tree_rss_mb(pid: int) -> dict[int, float]:
    """RSS of a process and its descendants (granian serves from a child process)."""
    found: dict[int, float] = {}
    pending = [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{current}/status").read_text()
            kb = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
            found[current] = int(kb.group(1)) / 1024 if kb else 0.0
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(c) for c in children)
    return found


def redis_calls(redis: Redis) -> int:
    stats = redis.info("commandstats")
    return sum(int(v["calls"]) for v in stats.values())  # type: ignore[union-attr]


@contextlib.contextmanager
def peer(peer_dir: Path, redis_url: str) -> Iterator[str]:
    target = WORK / "nest-catalog"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "server.js", "package-lock.json"):
        if (peer_dir / name).exists():
            shutil.copy2(peer_dir / name, target / name)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=target, check=True)  # noqa: S607
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        ["node", "server.js"],  # noqa: S607
        cwd=target,
        env={**os.environ, "PORT": str(port), "REDIS_URL": redis_url},
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base}/bare")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


# -- the run ------------------------------------------------------------------------------


def prepare_bytes(base: str, redis: Redis) -> dict[str, str]:
    """Catalog bytes into Redis and files; a linked demo customer's token and profile."""
    with httpx.Client(base_url=base, timeout=30) as client:
        catalog = client.get(CATALOG)
        catalog.raise_for_status()
        (WORK / "catalog.json").write_bytes(catalog.content)
        redis.set("catalog", catalog.content)
        linked = client.post("/api/auth/link", json={"email": TARO.email, "password": TARO.password})
        if linked.status_code not in (201, 409):
            raise RuntimeError(f"link failed: {linked.status_code} {linked.text}")
        login = client.post(
            "/api/auth/login",
            json={"email": TARO.email, "password": TARO.password, "tokenTransport": "body"},
        )
        login.raise_for_status()
        token = login.json()["accessToken"]
        me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        me.raise_for_status()
        (WORK / "me.json").write_bytes(me.content)
        print(f"catalog page: {len(catalog.content)} bytes; profile: {len(me.content)} bytes")
        return {"Authorization": f"Bearer {token}"}


def graceful_shutdown(served: Served) -> str:
    """An in-flight request (1.5 s) when SIGTERM arrives: does it finish with 200?"""
    result: dict[str, object] = {}

    def call() -> None:
        try:
            response = httpx.get(f"{served.base}/bench/slow?ms=1500", timeout=30)
            result["status"] = response.status_code
        except httpx.HTTPError as error:
            result["status"] = type(error).__name__

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    thread.join()
    try:
        served.process.wait(timeout=30)
        stopped = f"exited {served.process.returncode} after {time.monotonic() - started:.1f} s"
    except subprocess.TimeoutExpired:
        stopped = "still running after 30 s"
    log = served.log.read_text(errors="replace")
    lifespan = f"startup {'yes' if 'bff.started' in log else 'NO'}, shutdown {'yes' if 'bff.stopped' in log else 'NO'}"
    return f"in-flight request: {result.get('status')}; {stopped}; lifespan {lifespan}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--peer-dir", type=Path, default=ROOT / ".." / "shared" / "peer" / "nest-catalog")
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--servers", default="granian,uvicorn")
    parser.add_argument("--pair-rounds", type=int, default=8,
                        help="extra back-to-back rounds of the catalog pair (median ratio)")
    parser.add_argument("--pair-seconds", type=int, default=3)
    parser.add_argument("--log-level", default="INFO", help="BFF_LOG_LEVEL (INFO: access log on)")
    args = parser.parse_args()
    ensure_wrk()
    WORK.mkdir(parents=True, exist_ok=True)
    keys = generate_dev_keypair()
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    load = os.getloadavg()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; cpus={os.cpu_count()}; "
          f"load average before {load[0]:.2f}; wrk -t{args.threads} -c{args.connections} "
          f"-d{args.seconds}s x {args.rounds} rounds (best round shown); "
          f"BFF_LOG_LEVEL={args.log_level}")  # fmt: skip
    with contextlib.ExitStack() as stack:
        redis_url = stack.enter_context(private_redis())
        redis = Redis.from_url(redis_url)
        database_url = stack.enter_context(postgres_database())
        urls = stack.enter_context(sandboxes_in_thread(keys.public_key_pem))
        env = bff_env(database_url, redis_url, urls, keys.private_key_pem)
        env["BFF_LOG_LEVEL"] = args.log_level
        peer_base: str | None = None
        auth: dict[str, str] = {}
        summary: list[str] = []
        for server in servers:
            with bff(server, env) as served:
                if peer_base is None:
                    auth = prepare_bytes(served.base, redis)
                    peer_base = stack.enter_context(peer(args.peer_dir, redis_url))
                wrk(f"{served.base}{CATALOG}", args, seconds=2)  # warm-up
                wrk(f"{served.base}/api/me", args, auth, seconds=2)
                wrk(f"{peer_base}/redis", args, seconds=2)
                rss_before = tree_rss_mb(served.process.pid)
                runs: dict[str, list[Run]] = {}
                calls: dict[str, tuple[int, int]] = {}

                def measure(name: str, url: str, headers: dict[str, str] | None = None) -> None:
                    before = redis_calls(redis)
                    run = wrk(url, args, headers)
                    used = redis_calls(redis) - before
                    runs.setdefault(name, []).append(run)
                    total, requests = calls.get(name, (0, 0))
                    calls[name] = (total + used, requests + run.requests)

                for _ in range(args.rounds):
                    measure("peer /redis", f"{peer_base}/redis")
                    measure("ours catalog list", f"{served.base}{CATALOG}")
                    measure("peer /bare", f"{peer_base}/bare")
                    measure("ours bare catalog bytes", f"{served.base}/bench/bare/catalog")
                    measure("ours GET /api/me", f"{served.base}/api/me", auth)
                    measure("ours bare profile bytes", f"{served.base}/bench/bare/me")
                pairs = catalog_pairs(peer_base, served.base, args)
                closed = wrk(f"{served.base}{CATALOG}", args, {"Connection": "close"})
                rss_after = tree_rss_mb(served.process.pid)
                b = {name: best(r) for name, r in runs.items()}
                print(f"\n== our BFF under {server} (one process), peer NestJS+Fastify+ioredis ==")
                for name, run in b.items():
                    total, requests = calls[name]
                    print(run.line(name) + f"   redis cmds/req {total / max(requests, 1):.4f}")
                print(closed.line("ours catalog list, Connection: close"))

                def ratio(a: str, c: str) -> str:
                    return (f"{b[a].rps / b[c].rps:.2f}x req/s, p99 {b[a].p99_ms:.2f} vs "
                            f"{b[c].p99_ms:.2f} ms")  # fmt: skip

                lines = [
                    f"[{server}] catalog list vs peer /redis: {ratio('ours catalog list', 'peer /redis')}",
                    f"[{server}] catalog list vs peer /redis, {len(pairs)} back-to-back pairs: {pairs.summary()}",
                    f"[{server}] bare vs peer /bare: {ratio('ours bare catalog bytes', 'peer /bare')}",
                    f"[{server}] /api/me vs our bare: {ratio('ours GET /api/me', 'ours bare profile bytes')}",
                    f"[{server}] catalog list vs our bare: {ratio('ours catalog list', 'ours bare catalog bytes')}",
                    f"[{server}] keep-alive off: {closed.rps:.0f} req/s, p99 {closed.p99_ms:.2f} ms",
                    f"[{server}] RSS MB before/after load: "
                    + ", ".join(f"pid {pid}: {rss_before.get(pid, 0):.0f}/{mb:.0f}" for pid, mb in rss_after.items()),
                    f"[{server}] SIGTERM: {graceful_shutdown(served)}",
                ]
                for line in lines:
                    print(line)
                summary += lines
        print("\n== summary ==")
        for line in summary:
            print(line)


if __name__ == "__main__":
    main()
