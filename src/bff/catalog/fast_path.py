"""Lean read path for the public catalog: pre-rendered bytes straight from the L1 copy.

A pure-ASGI layer just outside FastAPI's router. For ``GET /api/catalog/products`` and
``GET /api/catalog/products/{sku}`` with a plain, valid query, and while the catalog's
in-process copy is fresh, it answers with the bytes rendered once per catalog version,
``ETag`` and ``Cache-Control``, or 304 for a matching ``If-None-Match``: no routing,
dependency solving, validation or serialisation per request. Anything else (a cold or
expiring copy, an unknown sku, a query it does not recognise or that is invalid) goes on
to the FastAPI route unchanged, which renders errors and documents the routes.

It sits *inside* the outer middlewares, so request ids, security headers, the access
log, metrics, CORS and the request deadline apply exactly as on the full path; it puts
the route template in the scope (``scope["route"].path``, as the router does), so metrics
and logs name the same route.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from bff.catalog import service
from bff.catalog.schemas import CategoryFilter
from bff.core.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from bff.core.state import AppState

LIST_PATH = "/api/catalog/products"
_DETAIL_PREFIX = LIST_PATH + "/"
_MAX_SKU = 80  # as the route's `Path(max_length=80)`
_CATEGORIES = {c.value: c for c in CategoryFilter}
_MAX_PAGE_DIGITS = 9  # bigger pages are valid but rare: the full path handles them


@dataclass(frozen=True, slots=True)
class _RouteTemplate:
    path: str


_LIST_ROUTE = _RouteTemplate(LIST_PATH)
_DETAIL_ROUTE = _RouteTemplate(LIST_PATH + "/{sku}")


class CatalogFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if path == LIST_PATH or path.startswith(_DETAIL_PREFIX):
                view = self._view(scope, path)
                if view is not None:
                    await self._answer(scope, send, view)
                    return
        await self.app(scope, receive, send)

    def _view(self, scope: Scope, path: str) -> service.CatalogView | None:
        state: AppState | None = scope.get("state", {}).get("app")
        if state is None:
            return None
        if path == LIST_PATH:
            query = _list_query(scope["query_string"])
            if query is None:
                return None
            category, page, page_size = query
            return service.peek_list(state, category=category, page=page, page_size=page_size)
        sku = path[len(_DETAIL_PREFIX) :]
        if not sku or "/" in sku or len(sku) > _MAX_SKU or scope["query_string"]:
            return None
        return service.peek_product(state, sku=sku)

    async def _answer(self, scope: Scope, send: Send, view: service.CatalogView) -> None:
        scope["route"] = _LIST_ROUTE if scope["path"] == LIST_PATH else _DETAIL_ROUTE
        state: AppState = scope["state"]["app"]
        if_none_match = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
                break
        max_age = state.settings.cache.catalog_max_age_s
        headers = [
            (b"etag", view.etag.encode()),
            (b"cache-control", f"public, max-age={max_age}".encode()),
        ]
        if service.etag_matches(if_none_match, view.etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(view.rendered)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": view.rendered})


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
