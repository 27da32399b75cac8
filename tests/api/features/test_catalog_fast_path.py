"""The catalog's lean read path: same answers, and every cross-cutting concern still applies."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from asgi_lifespan import LifespanManager
from prometheus_client import REGISTRY

from bff.app import create_app
from bff.catalog import fast_path, service
from bff.settings import Settings
from tests.helpers import captured_log_lines

ORIGIN = "http://localhost:5173"  # allowed by the default BFF_CORS_ORIGINS
LIST = "/api/catalog/products"
SKU = "SIM-VOICE-10G"


@pytest.fixture
async def warm(api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> httpx.AsyncClient:
    """The catalog in L1, and the full routes broken: only the lean path can answer."""
    assert (await api.get(LIST)).status_code == 200
    assert (await api.get(f"{LIST}/{SKU}")).status_code == 200

    async def full_path_taken(*_: object, **__: object) -> service.CatalogView:
        raise AssertionError("the full path served a request the lean path should have")

    monkeypatch.setattr(service, "list_products", full_path_taken)
    monkeypatch.setattr(service, "get_product", full_path_taken)
    return api


async def test_same_bytes_and_headers_as_the_full_path(api: httpx.AsyncClient) -> None:
    query = {"category": "sim", "page": "1", "pageSize": "5"}
    full = await api.get(LIST, params=query)  # cold: the route answers and fills L1
    lean = await api.get(LIST, params=query)
    assert full.status_code == lean.status_code == 200
    assert lean.content == full.content
    for header in ("etag", "cache-control", "content-type"):
        assert lean.headers[header] == full.headers[header]
    product_full = await api.get(f"{LIST}/{SKU}")
    product_lean = await api.get(f"{LIST}/{SKU}")
    assert product_lean.content == product_full.content
    assert product_lean.headers["etag"] == product_full.headers["etag"]


async def test_lean_path_serves_lists_details_and_304(warm: httpx.AsyncClient) -> None:
    listed = await warm.get(LIST, params={"pageSize": "3", "page": "2"})
    assert listed.status_code == 200
    assert listed.json()["page"] == 2 and len(listed.json()["items"]) == 3
    etag = listed.headers["etag"]
    again = await warm.get(
        LIST, params={"pageSize": "3", "page": "2"}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    product = await warm.get(f"{LIST}/{SKU}")
    assert product.status_code == 200 and product.json()["sku"] == SKU
    unchanged = await warm.get(
        f"{LIST}/{SKU}", headers={"If-None-Match": f"W/{product.headers['etag']}"}
    )
    assert unchanged.status_code == 304


async def test_request_id_and_security_headers(warm: httpx.AsyncClient) -> None:
    response = await warm.get(LIST, headers={"X-Request-ID": "lean-path-0001"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "lean-path-0001"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_cors(warm: httpx.AsyncClient) -> None:
    response = await warm.get(LIST, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "ETag" in response.headers["access-control-expose-headers"]
    foreign = await warm.get(LIST, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers


async def test_access_log_and_metrics_name_the_route(warm: httpx.AsyncClient) -> None:
    def served(route: str, status: str) -> float:
        labels = {"method": "GET", "route": route, "status": status}
        return REGISTRY.get_sample_value("bff_http_requests_total", labels) or 0.0

    before = served(LIST, "200"), served(f"{LIST}/{{sku}}", "200")
    with captured_log_lines() as raw:
        await warm.get(LIST, headers={"X-Request-ID": "lean-path-log-1"})
        await warm.get(f"{LIST}/{SKU}")
    after = served(LIST, "200"), served(f"{LIST}/{{sku}}", "200")
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)
    access = [line for line in map(json.loads, raw) if line.get("event") == "request"]
    assert [(a["route"], a["status"]) for a in access] == [(LIST, 200), (f"{LIST}/{{sku}}", 200)]
    assert access[0]["request_id"] == "lean-path-log-1"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"{LIST}?page=0", 422),
        (f"{LIST}?pageSize=101", 422),
        (f"{LIST}?category=phones", 422),
        (f"{LIST}/NO-SUCH-SKU", 404),
        (f"{LIST}/OPT-INTL-ROAMING", 404),  # inactive
    ],
)
async def test_errors_are_problem_json_from_the_full_path(
    api: httpx.AsyncClient, path: str, status: int
) -> None:
    assert (await api.get(LIST)).status_code == 200  # warm: the lean path is live
    response = await api.get(path, headers={"X-Request-ID": "lean-path-error-1"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["requestId"] == "lean-path-error-1"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "query",
    [b"", b"category=sim", b"page=2&pageSize=5", b"pageSize=100&category=option&page=1"],
)
def test_query_parsing_accepts_what_the_route_accepts(query: bytes) -> None:
    assert fast_path._list_query(query) is not None


@pytest.mark.parametrize(
    "query",
    [b"page=0", b"page=-1", b"page=%C2%B2", b"pageSize=0", b"pageSize=101", b"page=1&page=2",
     b"category=", b"category=SIM", b"other=1", b"page=9999999999"],
)  # fmt: skip
def test_query_parsing_leaves_the_rest_to_the_route(query: bytes) -> None:
    assert fast_path._list_query(query) is None


async def test_the_request_deadline_covers_the_lean_path(
    feature_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = feature_settings.model_copy(update={"request_deadline_s": 0.05})
    view = service.CatalogView(rendered=b"{}", etag='"x"', stale=False)
    monkeypatch.setattr(service, "peek_list", lambda *_, **__: view)

    async def slow_answer(*_: object) -> None:
        await asyncio.sleep(5)

    monkeypatch.setattr(fast_path.CatalogFastPath, "_answer", slow_answer)
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get(LIST)
    assert response.status_code == 504
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "request.timeout"
