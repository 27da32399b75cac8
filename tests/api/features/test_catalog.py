"""`/api/catalog`: listing, filters, paging, ETags, single flight and stale-while-error."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bff.catalog.service import CACHE_KEY, catalog_cache
from bff.core.state import AppState
from integrations.sandbox.demo_data import CATALOG
from tests.api.features.conftest import Sandbox

ACTIVE = [p for p in CATALOG if p.active]


async def test_lists_active_products_in_contract_shape(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/catalog/products", params={"pageSize": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == len(ACTIVE)
    assert body["page"] == 1 and body["pageSize"] == 100
    skus = [item["sku"] for item in body["items"]]
    assert "OPT-INTL-ROAMING" not in skus
    sim = next(item for item in body["items"] if item["sku"] == "SIM-VOICE-10G")
    assert sim["category"] == "sim"
    assert {"billingCycle": "monthly", "price": {"amount": "1980.00", "currency": "JPY"}} in sim[
        "prices"
    ]
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Cache-Control"].startswith("public, max-age=")


@pytest.mark.parametrize("category", ["sim", "internet", "vpn", "option"])
async def test_category_filter(api: httpx.AsyncClient, category: str) -> None:
    body = (await api.get("/api/catalog/products", params={"category": category})).json()
    assert body["total"] == sum(1 for p in ACTIVE if p.category == category)
    assert {item["category"] for item in body["items"]} == {category}


async def test_paging_edges(api: httpx.AsyncClient) -> None:
    first = (await api.get("/api/catalog/products", params={"pageSize": 5})).json()
    last = (await api.get("/api/catalog/products", params={"pageSize": 5, "page": 3})).json()
    beyond = (await api.get("/api/catalog/products", params={"pageSize": 5, "page": 9})).json()
    assert len(first["items"]) == 5 and first["total"] == len(ACTIVE)
    assert len(last["items"]) == len(ACTIVE) - 10
    assert beyond["items"] == [] and beyond["total"] == len(ACTIVE)


@pytest.mark.parametrize(
    "params",
    [{"page": 0}, {"pageSize": 0}, {"pageSize": 101}, {"category": "phones"}],
)
async def test_bad_queries_are_422(api: httpx.AsyncClient, params: dict[str, object]) -> None:
    response = await api.get("/api/catalog/products", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_product_detail_and_404(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/catalog/products/VPN-PRO")
    assert response.status_code == 200
    assert response.json()["name"] == "VPN プロ"
    for sku in ("NOPE-1", "OPT-INTL-ROAMING"):  # unknown, and inactive
        missing = await api.get(f"/api/catalog/products/{sku}")
        assert missing.status_code == 404
        assert missing.json()["code"] == "catalog.not_found"


async def test_if_none_match_gives_304(api: httpx.AsyncClient) -> None:
    for path in ("/api/catalog/products?category=vpn", "/api/catalog/products/VPN-PRO"):
        first = await api.get(path)
        etag = first.headers["ETag"]
        again = await api.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["ETag"] == etag
        weak = await api.get(path, headers={"If-None-Match": f'"other", W/{etag}'})
        assert weak.status_code == 304
        changed = await api.get(path, headers={"If-None-Match": '"something-else"'})
        assert changed.status_code == 200


async def test_etags_differ_per_query(api: httpx.AsyncClient) -> None:
    a = await api.get("/api/catalog/products", params={"category": "sim"})
    b = await api.get("/api/catalog/products", params={"category": "vpn"})
    assert a.headers["ETag"] != b.headers["ETag"]


async def test_200_concurrent_cold_requests_make_one_salesforce_query(
    api: httpx.AsyncClient, salesforce_box: Sandbox, app_state: AppState
) -> None:
    # Warm the client's price-book id (one query per process lifetime), then go cold.
    await api.get("/api/catalog/products")
    await catalog_cache(app_state.redis, app_state.settings).invalidate()
    before = (await salesforce_box.counts()).get("query", 0)
    await salesforce_box.fault(path="/services/data", latencyMs=150)
    responses = await asyncio.gather(
        *(api.get("/api/catalog/products", params={"pageSize": 3}) for _ in range(200))
    )
    assert {r.status_code for r in responses} == {200}
    assert len({r.headers["ETag"] for r in responses}) == 1
    assert (await salesforce_box.counts()).get("query", 0) - before == 1


async def test_other_processes_wait_for_the_lock_holder(
    app_state: AppState, salesforce_box: Sandbox
) -> None:
    """A second cache (another process) polls Redis instead of querying Salesforce."""
    from bff.core.cache import SingleFlightCache

    primary = catalog_cache(app_state.redis, app_state.settings)
    other = SingleFlightCache(
        app_state.redis,
        name="catalog",
        key=CACHE_KEY,
        policy=primary.policy,
        encode=primary._encode,
        decode=primary._decode,
    )
    loads = 0

    async def slow_load() -> object:
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.2)
        return await app_state.providers.salesforce.get_catalog()

    from bff.catalog.service import CatalogSnapshot

    async def load_snapshot() -> CatalogSnapshot:
        return CatalogSnapshot.of(await slow_load())  # type: ignore[arg-type]

    results = await asyncio.gather(primary.get(load_snapshot), other.get(load_snapshot))
    assert loads == 1
    assert results[0].version == results[1].version


async def test_stale_copy_served_while_salesforce_is_down(
    api: httpx.AsyncClient, salesforce_box: Sandbox, app_state: AppState
) -> None:
    fresh = await api.get("/api/catalog/products")
    assert "X-Cache" not in fresh.headers
    # Age the stored copy past its TTL (keep it within the stale window).
    raw = await app_state.redis.get(CACHE_KEY)
    meta, _, payload = raw.partition(b"\n")
    aged = meta.replace(b'"exp":', b'"exp":1,"_":', 1)
    await app_state.redis.set(CACHE_KEY, aged + b"\n" + payload)
    cache = catalog_cache(app_state.redis, app_state.settings)
    cache._local = None  # no in-process copy: read Redis like a fresh process would
    await salesforce_box.fault(path="/services/data", errorStatus=503)
    stale = await api.get("/api/catalog/products")
    assert stale.status_code == 200
    assert stale.headers["X-Cache"] == "stale"
    assert stale.json() == fresh.json()
    await cache.aclose()


async def test_cold_cache_with_salesforce_down_is_503(
    api: httpx.AsyncClient, salesforce_box: Sandbox
) -> None:
    await salesforce_box.fault(path="/services/data", errorStatus=503)
    response = await api.get("/api/catalog/products")
    assert response.status_code == 503
    assert response.json()["code"] == "upstream.unavailable"
    assert "Retry-After" in response.headers


async def test_cold_cache_with_salesforce_slow_is_504(
    api: httpx.AsyncClient, salesforce_box: Sandbox
) -> None:
    await salesforce_box.fault(path="/services/data", hang=True)
    response = await api.get("/api/catalog/products")
    assert response.status_code == 504
    assert response.json()["code"] == "upstream.timeout"


async def test_cold_cache_with_salesforce_error_is_502(
    api: httpx.AsyncClient, salesforce_box: Sandbox
) -> None:
    await salesforce_box.fault(path="/services/data", malformedBody=True)
    response = await api.get("/api/catalog/products")
    assert response.status_code == 502
    assert response.json()["code"] == "upstream.error"
