from __future__ import annotations

import httpx
import pytest

from bff.app import create_app
from tests.helpers import make_settings, serving

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
UNREACHABLE_POSTGRES = "postgresql+asyncpg://nobody@127.0.0.1:1/none"


async def test_live(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_database_and_redis_answer(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


@pytest.mark.parametrize(
    ("override", "failed"),
    [
        ({"redis_url": UNREACHABLE_REDIS}, "redis"),
        ({"database_url": UNREACHABLE_POSTGRES}, "database"),
    ],
)
async def test_not_ready_names_the_failed_part(
    database_url: str, redis_url: str, override: dict[str, str], failed: str
) -> None:
    urls = {"database_url": database_url, "redis_url": redis_url} | override
    settings = make_settings(urls["database_url"], urls["redis_url"], readiness_timeout_s=0.5)
    async with serving(create_app(settings)) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"][failed] in {"failed", "timeout"}
    assert [name for name, result in body["checks"].items() if result != "ok"] == [failed]


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/health/live")
    await client.get("/no/such/thing")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'bff_http_requests_total{method="GET",route="/health/live",status="200"}' in text
    assert 'route="<unmatched>",status="404"' in text
    assert "/no/such/thing" not in text
    assert "bff_http_request_duration_seconds_bucket" in text
    assert "# TYPE bff_cache_lookups_total counter" in text


async def test_fixed_non_api_routes_are_labelled_by_path(client: httpx.AsyncClient) -> None:
    await client.get("/openapi.json")
    text = (await client.get("/metrics")).text
    assert 'route="/openapi.json",status="200"' in text
