"""Lean read path for the public catalog: pre-rendered bytes straight from the L1 copy.

It runs before everything else (:class:`bff.app.PortalApp` asks it first). For
``GET /api/catalog/products`` and ``GET /api/catalog/products/{sku}`` with a plain, valid
query, and while the catalog's in-process copy is fresh, it answers with the bytes
rendered once per catalog version and query, ``ETag`` and ``Cache-Control``, or 304 for a
matching ``If-None-Match``: no middleware chain, routing, dependency solving, validation
or serialisation per request. Anything else (a cold or expiring copy, an unknown sku, a
query it does not recognise or that is invalid, any other method) goes on to the full
stack unchanged, which renders errors and documents the routes.

Being outside the middlewares, it applies what they would, from the same sources: the
request id (:func:`~bff.core.request_context.accept_or_generate`), the security headers
and ``no-store`` for credentialed requests (:mod:`bff.core.middleware`), the CORS
headers (:class:`~bff.core.cors.CorsPolicy`), one metrics sample and one access line
under the route's template. A test compares both paths header by header. The request
deadline has nothing to cover here: the answer is ready before the first ``send``, and
the full path disarms its deadline at that point too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.types import Scope, Send

from bff.catalog import service
from bff.catalog.schemas import CategoryFilter
from bff.catalog.service import CatalogSnapshot
from bff.core import access_log, metrics
from bff.core.cache import Cached, SingleFlightCache
from bff.core.cors import CorsPolicy
from bff.core.middleware import SECURITY_HEADERS, is_credential
from bff.core.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from bff.core.request_context import accept_or_generate
from bff.core.state import AppState

LIST_PATH = "/api/catalog/products"
DETAIL_ROUTE = LIST_PATH + "/{sku}"
_DETAIL_PREFIX = LIST_PATH + "/"
_MAX_SKU = 80  # as the route's `Path(max_length=80)`
_CATEGORIES = {c.value: c for c in CategoryFilter}
_MAX_PAGE_DIGITS = 9  # bigger pages are valid but rare: the full path handles them
_MAX_PREPARED = service.MAX_RENDERED  # answers remembered (any page number is valid)
_NO_STORE = (b"cache-control", b"no-store")
_JSON = (b"content-type", b"application/json")


@dataclass(frozen=True, slots=True)
class Prepared:
    """One answer, ready to send, for one path and query of one catalog version."""

    version: str
    route: str
    etag: str
    body: bytes
    head_200: tuple[tuple[bytes, bytes], ...]
    """``ETag``, ``Content-Type`` and ``Content-Length`` of the 200."""


class CatalogFastPath:
    def __init__(self, *, cors: CorsPolicy, max_age_s: int) -> None:
        self.cors = cors
        self._public = (b"cache-control", f"public, max-age={max_age_s}".encode())
        self._plain_tail = self._tail_for(None)  # no Origin: the same headers every time
        self._prepared: dict[tuple[str, bytes], Prepared] = {}
        self._state: AppState | None = None
        self._cache: SingleFlightCache[CatalogSnapshot] | None = None

    def prepared_for(self, scope: Scope) -> Prepared | None:
        """The answer to this request if the lean path can give it, else None."""
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        path: str = scope["path"]
        if path != LIST_PATH and not path.startswith(_DETAIL_PREFIX):
            return None
        state = scope.get("state")
        cached = self._catalog(state.get("app") if state else None)
        if cached is None:
            return None
        key = (path, scope["query_string"])
        prepared = self._prepared.get(key)
        if prepared is None or prepared.version != cached.version:
            prepared = _prepare(cached, path, scope["query_string"])
            if prepared is None:
                return None
            if len(self._prepared) >= _MAX_PREPARED:
                self._prepared.clear()
            self._prepared[key] = prepared
        return prepared

    def _tail_for(self, origin: str | None) -> tuple[tuple[bytes, bytes], ...]:
        return (*self.cors.simple_headers(origin), *SECURITY_HEADERS)

    def _catalog(self, state: AppState | None) -> Cached[CatalogSnapshot] | None:
        if state is None:
            return None
        cache = self._cache
        if cache is None or state is not self._state:  # the first request of this lifespan
            self._state = state
            cache = self._cache = service.catalog_cache(state.redis, state.settings)
        return cache.peek()

    async def answer(self, scope: Scope, send: Send, prepared: Prepared) -> None:
        started = time.perf_counter()
        client_request_id = origin = if_none_match = None
        credentialed = False
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                client_request_id = client_request_id or value.decode("latin-1")
            elif name == b"origin":
                origin = origin or value.decode("latin-1")
            elif name == b"if-none-match":
                if_none_match = if_none_match or value.decode("latin-1")
            elif is_credential(name, value):
                credentialed = True
        request_id = accept_or_generate(client_request_id)
        if if_none_match and service.etag_matches(if_none_match, prepared.etag):
            status, body, head = 304, b"", prepared.head_200[:1]
        else:
            status, body, head = 200, prepared.body, prepared.head_200
        tail = self._plain_tail if origin is None else self._tail_for(origin)
        headers = [
            *head,
            _NO_STORE if credentialed else self._public,
            (b"x-request-id", request_id.encode("latin-1")),
            *tail,
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        duration = time.perf_counter() - started
        metrics.observe_request("GET", prepared.route, status, duration)
        access_log.write(
            method="GET",
            route=prepared.route,
            status=status,
            duration_s=duration,
            request_id=request_id,
        )


def _prepare(cached: Cached[CatalogSnapshot], path: str, query_string: bytes) -> Prepared | None:
    if path == LIST_PATH:
        query = _list_query(query_string)
        if query is None:
            return None
        category, page, page_size = query
        view = service.list_view(cached, category, page, page_size)
        route = LIST_PATH
    else:
        sku = path[len(_DETAIL_PREFIX) :]
        if not sku or "/" in sku or len(sku) > _MAX_SKU or query_string:
            return None
        found = service.product_view(cached, sku)
        if found is None:  # unknown or inactive: the route renders the 404
            return None
        view, route = found, DETAIL_ROUTE
    return Prepared(
        version=cached.version,
        route=route,
        etag=view.etag,
        body=view.rendered,
        head_200=(
            (b"etag", view.etag.encode()),
            _JSON,
            (b"content-length", str(len(view.rendered)).encode()),
        ),
    )


def _list_query(raw: bytes) -> tuple[CategoryFilter | None, int, int] | None:
    """``category``, ``page``, ``pageSize`` if each is given at most once and valid."""
    category: CategoryFilter | None = None
    page, page_size = 1, DEFAULT_PAGE_SIZE
    seen: set[str] = set()
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if name in seen:
            return None
        seen.add(name)
        if name == "category":
            category = _CATEGORIES.get(value)
            if category is None:
                return None
        elif name in ("page", "pageSize"):
            if not (value.isascii() and value.isdigit()) or len(value) > _MAX_PAGE_DIGITS:
                return None
            number = int(value)
            if number < 1 or (name == "pageSize" and number > MAX_PAGE_SIZE):
                return None
            if name == "page":
                page = number
            else:
                page_size = number
        else:
            return None
    return category, page, page_size
