"""Request ids, security headers, CORS and the access log, on every kind of response."""

from __future__ import annotations

import json

import httpx
import pytest

from bff.app import create_app
from tests.api.conftest import probe_router
from tests.helpers import captured_log_lines, make_settings, serving

ALLOWED_ORIGIN = "https://spa.example"


async def test_well_formed_request_id_is_echoed(probe: httpx.AsyncClient) -> None:
    request_id = "3f1c9a2e-7b5d-4e8f-9a01-23456789abcd"
    response = await probe.get("/health/live", headers={"X-Request-ID": request_id})
    assert response.headers["x-request-id"] == request_id


@pytest.mark.parametrize(
    "bad_id", ["", "short", "has space in it", "x" * 300, "<script>alert(1)</script>", "ü" * 10]
)
async def test_malformed_request_id_is_replaced(probe: httpx.AsyncClient, bad_id: str) -> None:
    response = await probe.get("/health/live", headers={"X-Request-ID": bad_id.encode("utf-8")})
    assert response.status_code == 200
    generated = response.headers["x-request-id"]
    assert generated != bad_id and len(generated) == 32


async def test_error_responses_carry_request_id_and_security_headers(
    probe: httpx.AsyncClient,
) -> None:
    response = await probe.get("/nowhere", headers={"X-Request-ID": "req-0123456789"})
    assert response.headers["x-request-id"] == "req-0123456789"
    assert response.json()["requestId"] == "req-0123456789"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_authenticated_responses_are_not_cached(probe: httpx.AsyncClient) -> None:
    anonymous = await probe.get("/health/live")
    assert "no-store" not in anonymous.headers.get("cache-control", "")
    authed = await probe.get("/health/live", headers={"Authorization": "Bearer x"})
    assert authed.headers["cache-control"] == "no-store"


async def test_cors_allows_listed_origin_with_credentials(probe: httpx.AsyncClient) -> None:
    preflight = await probe.options(
        "/health/live",
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,idempotency-key",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert "x-request-id" in preflight.headers
    simple = await probe.get("/health/live", headers={"Origin": ALLOWED_ORIGIN})
    assert simple.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()


async def test_cors_refuses_unlisted_origin(probe: httpx.AsyncClient) -> None:
    evil = "https://evil.example"
    preflight = await probe.options(
        "/health/live", headers={"Origin": evil, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    simple = await probe.get("/health/live", headers={"Origin": evil})
    assert "access-control-allow-origin" not in simple.headers


async def test_one_access_log_line_with_route_template(probe: httpx.AsyncClient) -> None:
    with captured_log_lines() as raw:
        await probe.post(
            "/probe/orders?email=bob@example.com",
            json={"items": [{"sku": "S", "quantity": 1}]},
            headers={"X-Request-ID": "access-log-test-1"},
        )
    lines = [json.loads(line) for line in raw]
    access = [line for line in lines if line.get("event") == "request"]
    assert len(access) == 1
    entry = access[0]
    assert entry["method"] == "POST"
    assert entry["route"] == "/probe/orders"
    assert entry["status"] == 201
    assert entry["request_id"] == "access-log-test-1"
    assert isinstance(entry["duration_ms"], float)
    assert "bob@example.com" not in json.dumps(lines)


async def test_unmatched_paths_share_one_route_label(probe: httpx.AsyncClient) -> None:
    with captured_log_lines() as raw:
        await probe.get("/random/abc123")
    lines = [json.loads(line) for line in raw]
    assert [line["route"] for line in lines if line.get("event") == "request"] == ["<unmatched>"]


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


async def test_forwarded_headers_are_ignored_by_default(probe: httpx.AsyncClient) -> None:
    response = await probe.get("/probe/client", headers=FORWARDED)
    assert response.json() == {"host": "127.0.0.1", "scheme": "http"}


async def test_forwarded_headers_are_believed_from_trusted_proxies(
    database_url: str, redis_url: str
) -> None:
    settings = make_settings(database_url, redis_url, trusted_proxies=["127.0.0.1"])
    app = create_app(settings)
    app.include_router(probe_router())
    async with serving(app) as client:
        response = await client.get("/probe/client", headers=FORWARDED)
    assert response.json() == {"host": "203.0.113.9", "scheme": "https"}
