"""The catalog: Salesforce Product2 + PricebookEntry, mapped once, cached in Redis.

One :class:`~bff.core.cache.SingleFlightCache` per process holds the whole catalog (a few
dozen products): at most one Salesforce query per TTL however many requests arrive,
refreshed in the background before expiry, and served stale (flagged) while Salesforce
fails. Inactive products stay in the cached copy (orders must tell "inactive" from
"unknown") but are never listed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from pydantic import TypeAdapter
from redis.asyncio import Redis

from bff.catalog.errors import ProductNotFound
from bff.catalog.schemas import CategoryFilter, ProductPage
from bff.core.cache import Cached, CachePolicy, SingleFlightCache
from bff.core.cache_bus import InvalidationBus, invalidation_bus
from bff.core.redis import create_redis
from bff.core.state import AppState
from bff.settings import Settings
from domain.catalog.contract import CatalogEntry, Product
from integrations.salesforce import SalesforceClient

CACHE_NAME = "catalog"
CACHE_KEY = "bff:cache:catalog:v1"

_ENTRIES = TypeAdapter(tuple[CatalogEntry, ...])
_PRODUCT = TypeAdapter(Product)
MAX_RENDERED = 256


@dataclass(frozen=True, slots=True)
class CatalogSnapshot:
    entries: tuple[CatalogEntry, ...]
    by_sku: dict[str, CatalogEntry] = field(default_factory=dict)
    listed: tuple[Product, ...] = ()
    product_versions: dict[str, str] = field(default_factory=dict)
    product_bytes: dict[str, bytes] = field(default_factory=dict)
    """Each active product rendered once per catalog version (the detail answer)."""
    rendered: dict[tuple[str, int, int], bytes] = field(default_factory=dict)
    """List pages rendered once per catalog version (bounded: see ``MAX_RENDERED``)."""

    @classmethod
    def of(cls, entries: tuple[CatalogEntry, ...]) -> CatalogSnapshot:
        active = tuple(e for e in entries if e.active)
        return cls(
            entries=entries,
            by_sku={e.product.sku: e for e in entries},
            listed=tuple(e.product for e in active),
            product_versions={
                e.product.sku: hashlib.sha256(_PRODUCT.dump_json(e.product)).hexdigest()[:32]
                for e in active
            },
            product_bytes={
                e.product.sku: e.product.model_dump_json(by_alias=True).encode() for e in active
            },
        )


@dataclass(frozen=True, slots=True)
class CatalogView:
    """A catalog answer, rendered, with what the HTTP layer needs for caching headers.

    ``rendered`` is the answer serialised through its response model (``T``, camelCase
    JSON), once per catalog version and query: a cached list costs no model building or
    serialisation per request.
    """

    rendered: bytes
    etag: str
    stale: bool


def _encode(snapshot: CatalogSnapshot) -> bytes:
    return _ENTRIES.dump_json(snapshot.entries)


def _decode(payload: bytes) -> CatalogSnapshot:
    return CatalogSnapshot.of(_ENTRIES.validate_json(payload))


def catalog_policy(settings: Settings) -> CachePolicy:
    cache = settings.cache
    return CachePolicy(
        ttl_s=cache.catalog_ttl_s,
        stale_s=cache.catalog_stale_s,
        early_refresh_s=min(cache.catalog_early_refresh_s, cache.catalog_ttl_s / 2),
        local_ttl_s=cache.local_ttl_s,
        pushed_local_ttl_s=cache.pushed_local_ttl_s,
        lock_ttl_s=cache.lock_ttl_s,
    )


_caches: dict[int, tuple[Settings, SingleFlightCache[CatalogSnapshot]]] = {}


def catalog_cache(redis: Redis, settings: Settings) -> SingleFlightCache[CatalogSnapshot]:
    """The process's catalog cache for this Redis client and settings (built on first use).

    Keyed by the client's identity: redis-py clients compare equal when they point at the
    same server, and two apps in one process (tests, benchmarks) must not share a cache.
    """
    known = _caches.get(id(redis))
    if known is not None and known[0] is settings and known[1].redis is redis:
        return known[1]
    cache = SingleFlightCache(
        redis,
        name=CACHE_NAME,
        key=CACHE_KEY,
        policy=catalog_policy(settings),
        encode=_encode,
        decode=_decode,
        bus=invalidation_bus(redis),
    )
    _caches[id(redis)] = (settings, cache)
    return cache


async def _snapshot(state: AppState) -> Cached[CatalogSnapshot]:
    salesforce: SalesforceClient = state.providers.salesforce

    async def load() -> CatalogSnapshot:
        return CatalogSnapshot.of(await salesforce.get_catalog())

    return await catalog_cache(state.redis, state.settings).get(load)


async def catalog_entries(state: AppState) -> dict[str, CatalogEntry]:
    """Every catalog entry by sku, inactive ones included (for orders and top-ups)."""
    return (await _snapshot(state)).value.by_sku


async def list_products(
    state: AppState, *, category: CategoryFilter | None, page: int, page_size: int
) -> CatalogView:
    return list_view(await _snapshot(state), category, page, page_size)


async def get_product(state: AppState, *, sku: str) -> CatalogView:
    view = product_view(await _snapshot(state), sku)
    if view is None:
        raise ProductNotFound()
    return view


def list_view(
    cached: Cached[CatalogSnapshot], category: CategoryFilter | None, page: int, page_size: int
) -> CatalogView:
    snapshot = cached.value
    key = (category.value if category else "all", page, page_size)
    rendered = snapshot.rendered.get(key)
    if rendered is None:
        products = snapshot.listed
        if category is not None:
            products = tuple(p for p in products if p.category.value == category.value)
        start = (page - 1) * page_size
        body = ProductPage(
            items=list(products[start : start + page_size]),
            page=page,
            page_size=page_size,
            total=len(products),
        )
        rendered = body.model_dump_json(by_alias=True).encode()
        if len(snapshot.rendered) < MAX_RENDERED:  # any page number is valid: stay bounded
            snapshot.rendered[key] = rendered
    etag = f'"{cached.version}-{key[0]}-{page}-{page_size}"'
    return CatalogView(rendered=rendered, etag=etag, stale=cached.stale)


def product_view(cached: Cached[CatalogSnapshot], sku: str) -> CatalogView | None:
    rendered = cached.value.product_bytes.get(sku)
    if rendered is None:  # unknown or inactive
        return None
    version = cached.value.product_versions[sku]
    return CatalogView(rendered=rendered, etag=f'"{version}"', stale=cached.stale)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of ``If-None-Match`` against ``etag``."""
    if not if_none_match:
        return False
    candidates = [c.strip() for c in if_none_match.split(",")]
    return "*" in candidates or any(c.removeprefix("W/") == etag for c in candidates)


async def invalidate_catalog(state: AppState) -> None:
    await catalog_cache(state.redis, state.settings).invalidate()


async def drop_cached_catalog(settings: Settings) -> None:
    """Delete the shared catalog entry and tell every instance (`bff invalidate-catalog`)."""
    redis = create_redis(settings.redis_url, max_connections=2)
    try:
        await redis.delete(CACHE_KEY)
        await InvalidationBus(redis).publish(CACHE_NAME, CACHE_KEY)
    finally:
        await redis.aclose()
