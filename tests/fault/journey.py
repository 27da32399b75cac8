"""A scripted customer journey whose every answer is timed and kept for the assertions."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.api.auth.support import PASSWORD, bearer
from tests.api.features.conftest import Sandbox

SIM_ORDER = {"items": [{"sku": "SIM-DATA-3G", "quantity": 1, "billingCycle": "monthly"}]}
NEW_CASE = {"subject": "APN settings", "description": "How do I set the APN?", "category": "sim"}
HANAKO_SIM = "/api/subscriptions/3/sim"
# Upstream failures a customer may see; anything else 5xx (500 above all) is a bug.
UPSTREAM_STATUSES = {502, 503, 504}


@dataclass(frozen=True, slots=True)
class Answer:
    step: str
    status: int
    elapsed_s: float
    content_type: str
    retry_after: str | None
    code: str | None

    def __str__(self) -> str:
        return f"{self.step}: {self.status} {self.code or ''} in {self.elapsed_s:.2f}s"


@dataclass
class Journey:
    """One customer's walk through the portal; orders are retried with their own key."""

    api: httpx.AsyncClient
    email: str
    salesforce: Sandbox
    answers: list[Answer] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)  # Idempotency-Keys without an order yet
    approved: list[str] = field(default_factory=list)  # order ids approved in Salesforce

    async def call(self, step: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        started = time.monotonic()
        response = await self.api.request(method, url, **kwargs)
        elapsed = time.monotonic() - started
        code = None
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            code = response.json().get("code")
        self.answers.append(
            Answer(
                step=step,
                status=response.status_code,
                elapsed_s=elapsed,
                content_type=response.headers.get("content-type", ""),
                retry_after=response.headers.get("retry-after"),
                code=code,
            )
        )
        return response

    async def run(self) -> None:
        """Login, dashboard, catalog, invoices, services, SIM detail, an order (approved in
        the Salesforce sandbox when placed), its status, and a support case."""
        login = await self.call(
            "login",
            "POST",
            "/api/auth/login",
            json={"email": self.email, "password": PASSWORD, "tokenTransport": "body"},
        )
        assert login.status_code == 200, login.text  # a local check: no provider involved
        auth = bearer(login.json()["accessToken"])
        await self.call("dashboard", "GET", "/api/dashboard", headers=auth)
        await self.call("catalog", "GET", "/api/catalog/products")
        await self.call("invoices", "GET", "/api/invoices", headers=auth)
        await self.call("services", "GET", "/api/subscriptions", headers=auth)
        await self.call("sim", "GET", HANAKO_SIM, headers=auth)
        await self.place_orders(auth, new=1)
        for order_id in self.approved[-1:]:
            await self.call("order", "GET", f"/api/orders/{order_id}", headers=auth)
        await self.call("case", "POST", "/api/support/cases", json=NEW_CASE, headers=auth)

    async def place_orders(self, auth: dict[str, str], *, new: int) -> None:
        """Place ``new`` orders and retry the earlier unplaced ones under their own key."""
        self.unplaced.extend(str(uuid.uuid4()) for _ in range(new))
        for key in list(self.unplaced):
            placed = await self.call(
                "place order",
                "POST",
                "/api/orders",
                json=SIM_ORDER,
                headers=auth | {"Idempotency-Key": key},
            )
            if placed.status_code != 201:
                continue
            order_id = str(placed.json()["id"])
            self.unplaced.remove(key)
            approve = f"{self.salesforce.base}/_sandbox/orders/{order_id}/approve"
            (await self.salesforce.client.post(approve)).raise_for_status()
            self.approved.append(order_id)

    async def token(self) -> dict[str, str]:
        login = await self.api.post(
            "/api/auth/login",
            json={"email": self.email, "password": PASSWORD, "tokenTransport": "body"},
        )
        assert login.status_code == 200, login.text
        return bearer(login.json()["accessToken"])

    async def watch(self, order_id: str, *, within_s: float) -> list[str]:
        """The order's statuses as its SSE stream tells them, until the stream ends."""
        auth = await self.token()
        url = f"/api/orders/{order_id}/events"
        response = await asyncio.wait_for(self.api.get(url, headers=auth), timeout=within_s)
        assert response.status_code == 200, response.text
        return [event["status"] for event in sse_events(response.text)]


def sse_events(text: str) -> list[dict[str, Any]]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = [line[6:] for line in block.splitlines() if line.startswith("data: ")]
        if data:
            events.append(json.loads("\n".join(data)))
    return events


def assert_held(answers: list[Answer], *, deadline_s: float, margin_s: float) -> None:
    """No 500s, upstream failures as problem+json (503 with Retry-After), and every answer
    within the request deadline plus a margin for a loaded machine."""
    for answer in answers:
        assert answer.status < 500 or answer.status in UPSTREAM_STATUSES, answer
        if answer.status >= 500:
            assert answer.content_type.startswith("application/problem+json"), answer
            assert answer.code and answer.code.startswith("upstream."), answer
        if answer.status == 503:
            assert answer.retry_after is not None, answer
        assert answer.elapsed_s <= deadline_s + margin_s, answer
