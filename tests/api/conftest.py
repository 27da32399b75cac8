"""An app with extra probe routes, to exercise the error plumbing through real handlers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from bff.app import create_app
from bff.audit.models import AuditEvent
from bff.core.errors import Conflict
from bff.core.state import DbSession
from domain.common.errors import (
    ConflictError,
    CurrencyMismatchError,
    NotFoundError,
    ProviderPayloadError,
    ValidationFailedError,
)
from domain.common.errors import FieldError as DomainFieldError
from integrations.errors import (
    CircuitOpen,
    UpstreamBadResponse,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from tests.helpers import make_settings, serving

PROBE_DEADLINE_S = 0.5
PROBE_MAX_BODY = 2048


class ProbeItem(BaseModel):
    sku: str = Field(min_length=1)
    quantity: int = Field(ge=1, le=10)


class ProbeOrder(BaseModel):
    items: list[ProbeItem] = Field(min_length=1)


LOWER_LAYER_ERRORS: dict[str, Exception] = {
    "upstream_unavailable": UpstreamUnavailable("whmcs", "connect failed", retry_after=2.2),
    "circuit_open": CircuitOpen("salesforce", "breaker open", retry_after=30),
    "upstream_timeout": UpstreamTimeout("freebit", "deadline exceeded"),
    "upstream_rejected": UpstreamRejected("whmcs", "Client Not Found"),
    "upstream_bad_response": UpstreamBadResponse("salesforce", "HTTP 500"),
    "bad_payload": ProviderPayloadError("whmcs", "invoice", "total"),
    "not_found": NotFoundError("invoice", "42"),
    "conflict": ConflictError("already linked"),
    "validation": ValidationFailedError([DomainFieldError("items[0].sku", "unknown sku")]),
    "domain": CurrencyMismatchError("JPY", "USD"),
}


def probe_router() -> APIRouter:
    router = APIRouter(prefix="/probe", tags=["probe"])

    @router.post("/orders", status_code=201)
    async def create(order: ProbeOrder) -> ProbeOrder:
        return order

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("card 4111 1111 1111 1111 of alice@example.com failed")

    @router.post("/write-then-fail")
    async def write_then_fail(session: DbSession) -> None:
        session.add(AuditEvent(event_type="probe.half_written", details={}))
        await session.flush()
        raise RuntimeError("fails after a flushed write")

    @router.get("/audit-count")
    async def audit_count(session: DbSession) -> int:
        count = await session.scalar(
            select(func.count()).where(AuditEvent.event_type == "probe.half_written")
        )
        return int(count or 0)

    @router.get("/slow")
    async def slow() -> None:
        await asyncio.sleep(PROBE_DEADLINE_S * 4)

    @router.get("/raise/{kind}")
    async def raise_lower_layer_error(kind: str) -> None:
        raise LOWER_LAYER_ERRORS[kind]

    @router.get("/client")
    async def client_address(request: Request) -> dict[str, str]:
        return {"host": request.client.host if request.client else "", "scheme": request.url.scheme}

    @router.get("/conflict")
    async def conflict() -> None:
        raise Conflict("Already linked.", code="probe.conflict")

    return router


@pytest.fixture(scope="session")
def probe_app(database_url: str, redis_url: str) -> FastAPI:
    settings = make_settings(
        database_url,
        redis_url,
        request_deadline_s=PROBE_DEADLINE_S,
        max_body_bytes=PROBE_MAX_BODY,
        cors_origins=["https://spa.example"],
    )
    app = create_app(settings)
    app.include_router(probe_router())
    return app


@pytest.fixture(scope="session")
async def probe(probe_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(probe_app) as client:
        yield client
