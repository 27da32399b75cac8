"""The catalog's lean read path: same answers, and every cross-cutting concern still applies."""

from __future__ import annotations

import json

import httpx
import pytest
from prometheus_client import REGISTRY

from bff.catalog import fast_path, service
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


@pytest.mark.parametrize(
    "sent",
    [
        {},
        {"Origin": ORIGIN},
        {"Origin": "https://evil.example"},
        {"Authorization": "Bearer not-checked-on-public-routes"},
        {"Cookie": "bff_refresh=abc", "Origin": ORIGIN},
        {"If-None-Match": "match"},
        {"If-None-Match": "match", "Origin": ORIGIN},
    ],
)
@pytest.mark.parametrize("path", [f"{LIST}?category=sim&pageSize=5", f"{LIST}/{SKU}"])
async def test_the_lean_path_answers_exactly_as_the_full_path(
    api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, sent: dict[str, str], path: str
) -> None:
    """Same status, body and headers (names and values, in any order) on both paths."""
    sent = {**sent, "X-Request-ID": "same-request-id-01"}
    etag = (await api.get(path)).headers["etag"]  # warm
    if sent.get("If-None-Match") == "match":
        sent["If-None-Match"] = etag

    def answer_of(response: httpx.Response) -> tuple[int, bytes, list[tuple[str, str]]]:
        return response.status_code, response.content, sorted(response.headers.multi_items())

    lean = answer_of(await api.get(path, headers=sent))
    with monkeypatch.context() as patched:
        patched.setattr(fast_path.CatalogFastPath, "prepared_for", lambda *_: None)
        full = answer_of(await api.get(path, headers=sent))
    assert lean == full
    assert lean[0] == (304 if "If-None-Match" in sent else 200)
