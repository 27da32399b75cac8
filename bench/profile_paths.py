"""Profile the dashboard, invoices and orders paths under load with py-spy (issue 9 item 6).

    .venv/bin/python bench/profile_paths.py [--seconds 8] [--concurrency 16] [--top 12]
    .venv/bin/python bench/profile_paths.py --path /api/catalog/products --log-level INFO
    BFF_BENCH_REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/profile_paths.py

For each route, C concurrent callers drive the real app in-process (ASGI, no sockets
between caller and app; the provider sandboxes are real servers on local sockets, in this
process too) for S seconds, while ``py-spy record`` samples this process. It prints req/s
per route, then the top self-time frames and the top frames of our own code (inclusive),
counted only over samples taken inside the app (the sandboxes' frames are left out).
Production settings for caches (per-customer cache on); the caller is the demo customer
Taro with a real session (a refresh-token family in Redis and a signed access token), so
each request pays the real authentication too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]

from features_common import bench_settings, call, running_app, sandboxes  # noqa: E402

from bff.auth.families import Families, Owner  # noqa: E402
from bff.auth.tokens import AccessTokens  # noqa: E402
from bff.core.state import AppState  # noqa: E402
from integrations.sandbox.demo_data import TARO  # noqa: E402

PY_SPY = Path(sys.executable).parent / "py-spy"
# Frames of the request path (the sandboxes run in this process too and are excluded).
APP_MARKERS = ("(bff/", "(starlette/", "(fastapi/")
OURS = ("(bff/", "(integrations/", "(domain/")  # py-spy shortens paths to the import root
SANDBOX = "(integrations/sandbox/"


async def _drive(
    asgi: object, path: str, seconds: float, concurrency: int, auth: list[tuple[bytes, bytes]]
) -> int:
    done = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            status, body = await call(asgi, path, headers=auth)  # type: ignore[arg-type]
            assert status == 200, (path, status, body[:200])
            done += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


def _record(seconds: float, output: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - py-spy from our own environment
        [
            str(PY_SPY), "record", "--pid", str(os.getpid()), "--rate", "250",
            "--duration", str(int(seconds)), "--format", "raw", "--output", str(output),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _top(raw: Path, top: int) -> list[str]:
    self_time: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        frames = stack.split(";")
        if not any(m in f for f in frames for m in APP_MARKERS):
            continue  # the event loop idling, or the sandboxes serving
        if any(SANDBOX in f for f in frames):
            continue
        count = int(count_text)
        total += count
        self_time[_short(frames[-1])] += count
        for frame in {_short(f) for f in frames if any(o in f for o in OURS)}:
            ours[frame] += count
    lines = [f"  samples in the app: {total}", "  top self time:"]
    lines += [f"    {100 * n / total:5.1f}%  {name}" for name, n in self_time.most_common(top)]
    lines.append("  our frames, inclusive:")
    lines += [f"    {100 * n / total:5.1f}%  {name}" for name, n in ours.most_common(top)]
    return lines


def _short(frame: str) -> str:
    for marker in ("site-packages/", "src/", "python3.11/"):
        if marker in frame:
            head, _, tail = frame.partition(" (")
            return f"{head} ({tail.split(marker, 1)[-1]}"
    return frame


async def _taro_signed_in(state: AppState) -> list[tuple[bytes, bytes]]:
    owner = Owner(
        user_id=str(uuid.uuid4()),
        whmcs_client_id=str(TARO.client_id),
        salesforce_account_id=TARO.account_id,
        salesforce_contact_id=TARO.contact_id,
    )
    sid, _ = await Families(state.redis, state.settings.auth).create(owner, user_agent="bench")
    token = AccessTokens(state.settings.auth).issue(user_id=owner.user_id, session_id=sid)
    return [(b"authorization", f"Bearer {token}".encode())]


async def main(seconds: float, concurrency: int, top: int, only: list[str], log_level: str) -> None:
    redis_url = os.environ.get("BFF_BENCH_REDIS_URL", "memory://")
    async with sandboxes() as (urls, key):
        settings = bench_settings(
            urls, key, redis_url=redis_url, log_level=log_level, log_format="json"
        )
        async with running_app(settings) as (_, asgi, state):
            auth = await _taro_signed_in(state)
            status, body = await call(asgi, "/api/invoices", headers=auth)
            assert status == 200, body
            invoice_id = json.loads(body)["items"][0]["id"]
            paths = [
                "/api/dashboard",
                "/api/invoices",
                f"/api/invoices/{invoice_id}",
                "/api/orders",
            ]
            paths = only or paths
            print(f"redis={redis_url} cpus={os.cpu_count()} concurrency={concurrency} "
                  f"seconds={seconds} load={os.getloadavg()[0]:.1f}")  # fmt: skip
            for path in paths:
                await _drive(asgi, path, 1.0, concurrency, auth)  # warm caches and connections
                with tempfile.TemporaryDirectory() as folder:
                    raw = Path(folder) / "profile.txt"
                    recorder = _record(seconds, raw)
                    await asyncio.sleep(0.5)  # py-spy attaches
                    cpu = time.process_time()
                    count = await _drive(asgi, path, seconds - 1, concurrency, auth)
                    cpu = time.process_time() - cpu
                    await asyncio.to_thread(recorder.wait)
                    # CPU per request moves far less than req/s when other tenants load the
                    # machine (it includes the in-process sandboxes' share on uncached paths).
                    print(f"GET {path}: {count / (seconds - 1):.0f} req/s, "
                          f"{1000 * cpu / count:.2f} ms CPU/request")  # fmt: skip
                    if raw.exists():
                        print("\n".join(_top(raw, top)))
                        if keep := os.environ.get("BFF_BENCH_KEEP_PROFILES"):
                            name = path.strip("/").replace("/", "_")
                            (Path(keep) / f"{name}.txt").write_text(raw.read_text())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument(
        "--path", action="append", default=[], help="profile only these paths (repeatable)"
    )
    parser.add_argument(
        "--log-level", default="WARNING", help="BFF_LOG_LEVEL (INFO: access log on, JSON)"
    )
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.concurrency, args.top, args.path, args.log_level))
