"""`/api/catalog`: the public product catalog, with ETag / If-None-Match revalidation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response

from bff.catalog import service
from bff.catalog.errors import ProductNotFound
from bff.catalog.schemas import CategoryFilter, Product, ProductPage
from bff.core.paging import DEFAULT_PAGE_SIZE, PageQuery, PageSizeQuery
from bff.core.problems import problem_responses
from bff.core.state import AppStateDep, get_app_state

router = APIRouter(prefix="/api/catalog", tags=["catalog"])

IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match", description="An `ETag` from an earlier answer; 304 if unchanged."
    ),
]
_CACHING = (
    "Public, no token. Answers carry `ETag` and `Cache-Control`; a matching "
    "`If-None-Match` gives 304 with no body. The catalog is cached for "
    "`BFF_CACHE__CATALOG_TTL_S` (10 min); while Salesforce is failing a copy past its TTL "
    "is served with `X-Cache: stale` (and `Warning: 110`) rather than an error."
)
# Answers are rendered through the response models once per catalog version (see
# `service.CatalogView`); `response_model=` documents them.
_NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the `If-None-Match` tag still matches."}
}


def _answer(view: service.CatalogView, if_none_match: str | None, max_age: int) -> Response:
    headers = {"ETag": view.etag, "Cache-Control": f"public, max-age={max_age}"}
    if view.stale:
        headers["X-Cache"] = "stale"
        headers["Warning"] = '110 - "Response is Stale"'
    if service.etag_matches(if_none_match, view.etag):
        return Response(status_code=304, headers=headers)
    return Response(view.rendered, media_type="application/json", headers=headers)


@router.get(
    "/products",
    response_model=ProductPage,
    summary="List catalog products",
    description="Active products flagged for the portal, optionally of one category. " + _CACHING,
    responses={**_NOT_MODIFIED, **problem_responses(422, 502, 503, 504)},
)
async def list_products(
    request: Request,
    *,
    if_none_match: IfNoneMatch = None,
    category: CategoryFilter | None = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = DEFAULT_PAGE_SIZE,
) -> Response:
    state = get_app_state(request)  # a plain lookup: this route is the hot path
    view = await service.list_products(state, category=category, page=page, page_size=page_size)
    return _answer(view, if_none_match, state.settings.cache.catalog_max_age_s)


@router.get(
    "/products/{sku}",
    response_model=Product,
    summary="Get one catalog product",
    description="One active product by its sku; unknown or inactive -> 404 `catalog.not_found`. "
    + _CACHING,
    responses={**_NOT_MODIFIED, **problem_responses(ProductNotFound, 502, 503, 504)},
)
async def get_product(
    state: AppStateDep,
    *,
    sku: Annotated[str, Path(max_length=80)],
    if_none_match: IfNoneMatch = None,
) -> Response:
    view = await service.get_product(state, sku=sku)
    return _answer(view, if_none_match, state.settings.cache.catalog_max_age_s)
