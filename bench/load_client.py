"""The load generator's customers: seeded sessions, the request mix, and what it records.

Closed loop: each of C virtual clients takes a signed-in session from a shared pool,
makes one request of the mix, returns the session and goes again without think time.
A session is used by one client at a time, so refresh rotation never races itself (a
real browser tab refreshes its own token) and reuse detection stays out of the numbers.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from array import array
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from integrations.sandbox.demo_data import HANAKO, KENJI, TARO

PASSWORD = "Load-Bench-Kiyomizu-2026!"  # noqa: S105 - users created by the benchmark
ADDRESS = {
    "postcode": "600-8216",
    "prefecture": "京都府",
    "city": "京都市下京区",
    "street": "烏丸通塩小路下ル東塩小路町721-1",
    "country": "JP",
}

# The mix of issue #8: (route label, weight). Labels are route templates, as in the metrics.
MIX: tuple[tuple[str, int], ...] = (
    ("GET /api/catalog/products", 40),
    ("GET /api/dashboard", 20),
    ("GET /api/invoices", 20),
    ("POST /api/auth/refresh", 10),
    ("POST /api/orders", 10),
)
BASELINE = "GET /health/live"
ROUTES: tuple[str, ...] = (*(route for route, _ in MIX), BASELINE)
EXPECTED = {"POST /api/orders": 201}  # every other route answers 200

_CATEGORIES = (None, None, "sim", "internet", "vpn", "option")  # the SPA's tabs; "all" twice
_ORDER_ITEMS = (
    ("VPN-PRO", "monthly"),
    ("VPN-BASIC", "annually"),
    ("SIM-DATA-3G", "monthly"),
    ("NET-HOME-5G", "monthly"),
    ("OPT-VOICEMAIL", "monthly"),
)


@dataclass(slots=True)
class Session:
    email: str
    access_token: str
    refresh_token: str

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass(slots=True)
class Recorder:
    """Every finished request as compact columns: when (s since start), route, seconds, ok."""

    started: float = field(default_factory=time.perf_counter)
    at: array[float] = field(default_factory=lambda: array("d"))
    route: array[int] = field(default_factory=lambda: array("b"))
    latency: array[float] = field(default_factory=lambda: array("d"))
    ok: array[int] = field(default_factory=lambda: array("b"))
    failures: dict[str, dict[str, int]] = field(default_factory=dict)
    degraded_dashboards: int = 0

    def add(self, route: str, began: float, ended: float, failure: str | None) -> None:
        self.at.append(ended - self.started)
        self.route.append(ROUTES.index(route))
        self.latency.append(ended - began)
        self.ok.append(failure is None)
        if failure is not None:
            counts = self.failures.setdefault(route, {})
            counts[failure] = counts.get(failure, 0) + 1


Request = Callable[[httpx.AsyncClient, Session, random.Random], Awaitable[httpx.Response]]


async def _catalog(client: httpx.AsyncClient, _: Session, rng: random.Random) -> httpx.Response:
    category = rng.choice(_CATEGORIES)
    params = {"category": category} if category else None
    return await client.get("/api/catalog/products", params=params)


async def _dashboard(client: httpx.AsyncClient, s: Session, _: random.Random) -> httpx.Response:
    return await client.get("/api/dashboard", headers=s.bearer())


async def _invoices(client: httpx.AsyncClient, s: Session, rng: random.Random) -> httpx.Response:
    params = {"status": "unpaid"} if rng.random() < 0.3 else None
    return await client.get("/api/invoices", headers=s.bearer(), params=params)


async def _refresh(client: httpx.AsyncClient, s: Session, _: random.Random) -> httpx.Response:
    response = await client.post("/api/auth/refresh", json={"refreshToken": s.refresh_token})
    if response.status_code == 200:
        body = response.json()
        s.access_token, s.refresh_token = body["accessToken"], body["refreshToken"]
    return response


async def _order(client: httpx.AsyncClient, s: Session, rng: random.Random) -> httpx.Response:
    sku, cycle = rng.choice(_ORDER_ITEMS)
    return await client.post(
        "/api/orders",
        json={"items": [{"sku": sku, "quantity": rng.randint(1, 3), "billingCycle": cycle}]},
        headers={**s.bearer(), "Idempotency-Key": str(uuid.uuid4())},
    )


async def _live(client: httpx.AsyncClient, _: Session, __: random.Random) -> httpx.Response:
    return await client.get("/health/live")


REQUESTS: dict[str, Request] = {
    "GET /api/catalog/products": _catalog,
    "GET /api/dashboard": _dashboard,
    "GET /api/invoices": _invoices,
    "POST /api/auth/refresh": _refresh,
    "POST /api/orders": _order,
    BASELINE: _live,
}


async def _one(
    client: httpx.AsyncClient, route: str, session: Session, rng: random.Random, rec: Recorder
) -> None:
    began = time.perf_counter()
    failure: str | None = None
    try:
        response = await REQUESTS[route](client, session, rng)
        if response.status_code != EXPECTED.get(route, 200):
            failure = str(response.status_code)
        elif route == "GET /api/dashboard" and response.json()["warnings"]:
            rec.degraded_dashboards += 1  # a section missed its deadline: 200, but worse
    except httpx.HTTPError as error:
        failure = type(error).__name__
    rec.add(route, began, time.perf_counter(), failure)


async def drive(
    client: httpx.AsyncClient,
    sessions: list[Session],
    *,
    seconds: float,
    concurrency: int,
    seed: int,
    only: str | None = None,
) -> Recorder:
    """C clients for ``seconds``: the weighted mix, or only the route ``only``."""
    pool: asyncio.Queue[Session] = asyncio.Queue()
    for session in sessions:
        pool.put_nowait(session)
    routes = [route for route, _ in MIX]
    weights = [weight for _, weight in MIX]
    rec = Recorder()
    stop = rec.started + seconds

    async def virtual_client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)  # noqa: S311 - a reproducible mix
        while time.perf_counter() < stop:
            route = only or rng.choices(routes, weights)[0]
            session = await pool.get()
            try:
                await _one(client, route, session, rng, rec)
            finally:
                pool.put_nowait(session)

    await asyncio.gather(*(virtual_client(i) for i in range(concurrency)))
    return rec


async def seed_sessions(client: httpx.AsyncClient, users: int, run_id: str) -> list[Session]:
    """The three demo customers linked (they have invoices, services and cases), plus new
    customers signed up through the API (WHMCS client + Salesforce Account, as in life)."""
    gate = asyncio.Semaphore(4)  # argon2id hashing is the cost; more in parallel only queues

    async def create(index: int) -> Session:
        async with gate:
            if index < 3:
                demo = (TARO, HANAKO, KENJI)[index]
                path = "/api/auth/link"
                body: dict[str, object] = {"email": demo.email, "password": demo.password}
            else:
                path = "/api/auth/signup"
                body = {
                    "email": f"load-{run_id}-{index}@example.jp",
                    "password": PASSWORD,
                    "firstName": "Load",
                    "lastName": f"Customer{index}",
                    "phone": "075-123-4567",
                    "address": ADDRESS,
                }
            response = await client.post(path, json=body | {"tokenTransport": "body"})
            if response.status_code != 201:
                raise RuntimeError(f"seeding {path} answered {response.status_code}")
            tokens = response.json()
            return Session(str(body["email"]), tokens["accessToken"], tokens["refreshToken"])

    return list(await asyncio.gather(*(create(i) for i in range(users))))
